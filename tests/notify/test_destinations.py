"""Destination templates: `${NAME}` filled only for sending, and every filled-in value masked in log lines."""

from __future__ import annotations

import logging

import pytest

from digest.notify.destinations import DestinationError, Redactor, fill, quiet_apprise, variables

SLACK = "https://hooks.slack.com/services/T0ABCDEF/B0GHIJKL/xoxTokenSecret42"


def test_variables_are_filled_from_the_environment_and_remembered_as_secrets() -> None:
    template = "json://hook:${PASS}@example.org/${PATH_PART}/x?token=${PASS}"
    assert variables(template) == ("PASS", "PATH_PART")
    filled = fill(template, {"PASS": "p@ss word", "PATH_PART": "digest"})
    assert filled.url == "json://hook:p@ss word@example.org/digest/x?token=p@ss word"
    assert set(filled.secrets) == {"p@ss word", "digest"} and filled.template == template
    with pytest.raises(DestinationError, match=r"^\$\{PASS\} is not set in the environment$"):
        fill(template, {"PATH_PART": "digest"})
    assert fill(template, {}, placeholder="x").secrets == ()


def test_the_redactor_masks_a_secret_as_printed_quoted_and_its_url_tokens_alone() -> None:
    redact = Redactor.of(["p@ss word", SLACK])
    assert redact("login p@ss word, p%40ss%20word, p@ss%20word") == "login ***, ***, ***"
    assert redact(f"POST {SLACK}") == "POST ***"
    assert redact("Slack token xoxTokenSecret42 for B0GHIJKL") == "Slack token *** for ***"
    assert Redactor.of([])("nothing to hide") == "nothing to hide"


def test_quiet_apprise_keeps_apprises_lines_masked_and_off_the_root_logger(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    apprise_logger = logging.getLogger("apprise")
    transport = logging.getLogger("urllib3.connectionpool")
    with quiet_apprise(Redactor.of(["s3cret-value"])) as said:
        apprise_logger.warning("Failed to send to https://u:%s@host/", "s3cret-value")
        apprise_logger.debug("debug with s3cret-value")
        transport.debug('http://host:80 "POST /hooks/s3cret-value HTTP/1.1" 500')
    assert said == ["Failed to send to https://u:***@host/"], "warnings and errors only, masked"
    assert "s3cret-value" not in caplog.text and 'POST /hooks/*** HTTP/1.1' in caplog.text
    assert "Failed to send" not in caplog.text, "Apprise's own lines stay with paper-digest"
    assert apprise_logger.propagate and not apprise_logger.filters and not transport.filters, "restored after"
