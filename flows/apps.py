from django.apps import AppConfig


class FlowsConfig(AppConfig):
    name = "flows"

    def ready(self) -> None:
        # Imported here: the services need the models, which are loaded only once the apps are ready.
        from flows.tasks import responsibility_changed_received
        from organisation.services.assignments import responsibility_changed

        responsibility_changed.connect(responsibility_changed_received, dispatch_uid="flows.responsibility")
