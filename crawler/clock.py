"""The one place that reads the clock: everything else receives time as an argument."""
from datetime import datetime
from zoneinfo import ZoneInfo

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


def now_vn() -> datetime:
    return datetime.now(VIETNAM).replace(microsecond=0)
