"""Reading the unauthenticated GetSystemDateAndTime answer: recorded shapes of real devices."""

from __future__ import annotations

from backend.integrations.onvif import _probe

# Shape of a Hikvision answer (SOAP 1.2, many namespaces, both UTC and local time).
TIME_ANSWER = b"""<?xml version="1.0" encoding="UTF-8"?>
<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"
  xmlns:tds="http://www.onvif.org/ver10/device/wsdl" xmlns:tt="http://www.onvif.org/ver10/schema">
<env:Body><tds:GetSystemDateAndTimeResponse><tds:SystemDateAndTime>
<tt:DateTimeType>NTP</tt:DateTimeType><tt:DaylightSavings>false</tt:DaylightSavings>
<tt:TimeZone><tt:TZ>CST-3:00:00</tt:TZ></tt:TimeZone>
<tt:UTCDateTime><tt:Time><tt:Hour>9</tt:Hour><tt:Minute>5</tt:Minute><tt:Second>7</tt:Second></tt:Time>
<tt:Date><tt:Year>2026</tt:Year><tt:Month>11</tt:Month><tt:Day>22</tt:Day></tt:Date></tt:UTCDateTime>
<tt:LocalDateTime><tt:Time><tt:Hour>12</tt:Hour><tt:Minute>5</tt:Minute><tt:Second>7</tt:Second></tt:Time>
<tt:Date><tt:Year>2026</tt:Year><tt:Month>11</tt:Month><tt:Day>22</tt:Day></tt:Date></tt:LocalDateTime>
</tds:SystemDateAndTime></tds:GetSystemDateAndTimeResponse></env:Body></env:Envelope>"""

# Shape of an Axis answer: every request needs authentication, even this one.
FAULT_ANSWER = b"""<?xml version="1.0" encoding="UTF-8"?>
<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://www.w3.org/2003/05/soap-envelope"
  xmlns:ter="http://www.onvif.org/ver10/error"><SOAP-ENV:Body><SOAP-ENV:Fault>
<SOAP-ENV:Code><SOAP-ENV:Value>SOAP-ENV:Sender</SOAP-ENV:Value>
<SOAP-ENV:Subcode><SOAP-ENV:Value>ter:NotAuthorized</SOAP-ENV:Value></SOAP-ENV:Subcode></SOAP-ENV:Code>
<SOAP-ENV:Reason><SOAP-ENV:Text xml:lang="en">Sender not Authorized</SOAP-ENV:Text></SOAP-ENV:Reason>
</SOAP-ENV:Fault></SOAP-ENV:Body></SOAP-ENV:Envelope>"""


def test_the_device_clock_is_read_from_a_time_answer() -> None:
    probe = _probe.read_answer(200, TIME_ANSWER, "Sun, 22 Nov 2026 09:05:07 GMT")
    assert probe.soap is True
    assert probe.time is not None
    assert probe.time["UTCDateTime"] == {
        "Date": {"Year": "2026", "Month": "11", "Day": "22"},
        "Time": {"Hour": "9", "Minute": "5", "Second": "7"},
    }
    assert probe.time["DateTimeType"] == "NTP"
    assert probe.time["TimeZone"] == {"TZ": "CST-3:00:00"}
    assert probe.http_date == "Sun, 22 Nov 2026 09:05:07 GMT"


def test_a_fault_is_still_an_onvif_answer() -> None:
    probe = _probe.read_answer(400, FAULT_ANSWER)
    assert (probe.soap, probe.time) == (True, None)
    assert probe.fault == {
        "code": "SOAP-ENV:Sender",
        "subcodes": ["NotAuthorized"],
        "reason": "Sender not Authorized",
    }


def test_html_and_garbage_are_not_onvif() -> None:
    assert _probe.read_answer(404, b"<html><body>Not Found</body></html>").soap is False
    assert _probe.read_answer(200, b"404: Not Found").soap is False
    assert _probe.read_answer(200, b"").soap is False


def test_entities_are_never_expanded() -> None:
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE e [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
        b'<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body>&b;</s:Body></s:Envelope>'
    )
    assert _probe.read_answer(200, bomb).soap is False
