import json
import logging

from partnerdesk.core.logs import JsonFormatter, RequestIdFilter
from partnerdesk.core.requestid import _request_id


def test_json_lines_carry_the_request_id():
    token = _request_id.set("req-42")
    try:
        record = logging.LogRecord("partnerdesk", logging.WARNING, __file__, 1, "seat %s refused", ("x",), None)
        RequestIdFilter().filter(record)
        entry = json.loads(JsonFormatter().format(record))
    finally:
        _request_id.reset(token)
    assert (entry["level"], entry["message"], entry["request_id"]) == ("WARNING", "seat x refused", "req-42")
