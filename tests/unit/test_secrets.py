import json

from ansible_collections.ngts.vsatellite.plugins.module_utils._secrets import MASK, mask


def test_every_occurrence_is_masked_longest_first():
    assert mask("pin=abc123 again abc123", ["abc"]) == "pin=%s123 again %s123" % (MASK, MASK)
    assert mask("abc123", ["abc", "abc123"]) == MASK


def test_empty_secrets_and_none_are_harmless():
    assert mask("text", ["", None]) == "text"
    assert mask(None, ["x"]) is None
    assert mask(42, ["4"]) == MASK + "2"


def test_escaped_forms_are_masked_too():
    secret = "a'b\\c"
    text = "raw: %s repr: %r json: %s" % (secret, secret, json.dumps(secret))
    assert mask(text, [secret]) == 'raw: %s repr: "%s" json: "%s"' % (MASK, MASK, MASK)
