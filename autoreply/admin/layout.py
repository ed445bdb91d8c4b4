"""The admin's own stylesheet, for the pages that need it to fit a 1366 px screen."""


class Fitted:
    """Mixed into a ModelAdmin: its list and form pages load autoreply/admin.css."""

    class Media:
        css = {"all": ["autoreply/admin.css"]}
