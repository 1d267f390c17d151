"""EKS support per Kubernetes version on a date: standard, extended (billed extra) or ended.

Dated data with its source: Amazon EKS user guide, "Understand the Kubernetes version lifecycle on EKS"
(14 months of standard support from the EKS release, then 12 months of extended support), dates as
listed by endoflife.date/amazon-eks and the guide's release calendar. Add a row when EKS releases a
version (and raise ``CALENDAR_READ``); `validate` refuses a version the calendar does not know.

1.36: the user guide's "Review release notes for Kubernetes versions on standard support" lists "Kubernetes 1.36
is now available in Amazon EKS"; its EKS release, 2026-06-02, and end of standard support, 2027-08-02, as a
2026-08-16 upgrade write-up (devopsdreams.blogspot.com, "Kubernetes 1.36 on Amazon EKS") gives them: 14 months
apart, as the guide's rule says, and extended support 12 months after that.
"""

from __future__ import annotations

from datetime import date

CALENDAR_SOURCE = ("docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html (release calendar); "
                   "endoflife.date/amazon-eks; 1.36: kubernetes-versions-standard.html and a dated write-up (above)")
CALENDAR_READ = date(2026, 12, 7)

# version -> (end of standard support, end of extended support)
EKS_SUPPORT: dict[str, tuple[date, date]] = {
    "1.30": (date(2025, 7, 23), date(2026, 7, 23)),
    "1.31": (date(2025, 11, 26), date(2026, 11, 26)),
    "1.32": (date(2026, 3, 23), date(2027, 3, 23)),
    "1.33": (date(2026, 7, 29), date(2027, 7, 29)),
    "1.34": (date(2026, 12, 2), date(2027, 12, 2)),
    "1.35": (date(2027, 3, 27), date(2028, 3, 27)),
    "1.36": (date(2027, 8, 2), date(2028, 8, 2)),
}


def support_on(version: str, day: date) -> str:
    """``standard``, ``extended``, ``ended`` or ``unknown`` for ``version`` on ``day``."""
    if version not in EKS_SUPPORT:
        return "unknown"
    standard_end, extended_end = EKS_SUPPORT[version]
    if day <= standard_end:
        return "standard"
    if day <= extended_end:
        return "extended"
    return "ended"
