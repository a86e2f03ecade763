"""ONVIF recording retention and WS-Discovery: recorded SOAP fixtures and a veth pair."""
