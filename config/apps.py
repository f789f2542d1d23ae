from django.contrib.admin.apps import AdminConfig


class ArchiveAdminConfig(AdminConfig):
    """Django's admin, whose default site is the editors' desk (config/admin.py)."""

    default_site = "config.admin.ArchiveAdminSite"
