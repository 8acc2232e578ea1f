app_name = "case_messages"

urlpatterns: list = []
