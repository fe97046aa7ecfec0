from django.apps import AppConfig


class FlowsConfig(AppConfig):
    name = "flows"

    def ready(self) -> None:
        from cases.services.assignments import responsibility_changed
        from flows.tasks import responsibility_changed_received

        responsibility_changed.connect(responsibility_changed_received, dispatch_uid="flows.responsibility")
