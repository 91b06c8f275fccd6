"""Security Hub CSPM's organization settings are per Region, as on AWS.

AWS, Security Hub CSPM API Reference (Welcome): requests are carried out only in the Region that is
current or named, and "any configuration or settings change that results from the operation is
applied only to that Region. To make the same change in other Regions, call the same API operation
in each Region". So EnableOrganizationAdminAccount, UpdateOrganizationConfiguration and CreateMembers
act in the Region called only (the delegated administrator, AutoEnable and members per Region).

moto keeps one class-level dict of organization configurations keyed by organization id
(`SecurityHubBackend._org_configs`), shared by every Region. `install` replaces it with a dict keyed
by (organization id, Region): moto's own lookups by organization id go to the Region of the request
being served (set by server.py per request); the extension names the Region itself (`in_region`).
"""
import threading

from moto.securityhub.models import SecurityHubBackend

_CURRENT = threading.local()


def serving(region):
    """The Region of the request this thread serves."""
    _CURRENT.region = region


def _region():
    return getattr(_CURRENT, "region", None) or "us-east-1"


class RegionalConfigs(dict):
    def __getitem__(self, org_id):
        return dict.__getitem__(self, (org_id, _region()))

    def __setitem__(self, org_id, value):
        dict.__setitem__(self, (org_id, _region()), value)

    def __contains__(self, org_id):
        return dict.__contains__(self, (org_id, _region()))

    def get(self, org_id, default=None):
        return dict.get(self, (org_id, _region()), default)

    def in_region(self, org_id, region):
        """The organization's configuration in `region` ({} when nothing was set there)."""
        return dict.get(self, (org_id, region)) or {}

    def regions(self, org_id):
        """(Region, configuration) for every Region where the organization has one."""
        return [(region, conf) for (org, region), conf in dict.items(self) if org == org_id]

    def plain(self):
        return {f"{org}/{region}": conf for (org, region), conf in sorted(dict.items(self))}


_moto_get_org_config = SecurityHubBackend._get_org_config


def _get_org_config(self):
    """moto's lookup, in the backend's own Region (whichever request is being served)."""
    before = getattr(_CURRENT, "region", None)
    serving(self.region_name)
    try:
        return _moto_get_org_config(self)
    finally:
        serving(before)


def install():
    SecurityHubBackend._org_configs = RegionalConfigs()
    SecurityHubBackend._get_org_config = _get_org_config


def configs():
    return SecurityHubBackend._org_configs
