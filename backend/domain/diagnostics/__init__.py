"""ONVIF diagnostics: results per device, firmware baselines, reference images, health."""
