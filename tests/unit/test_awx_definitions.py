"""The AWX / Automation Controller pieces (extensions/awx) fit the playbooks they are for: the credential
types' injectors give the secrets to exactly the variables the playbooks read, as extra vars only, and every
job template names a playbook that exists."""

import os
import re

import jinja2
import pytest
import yaml

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
AWX = os.path.join(REPO, "extensions", "awx")


class Loader(yaml.SafeLoader):
    pass


Loader.add_constructor("!unsafe", lambda loader, node: loader.construct_scalar(node))


def load(name):
    with open(os.path.join(AWX, name)) as f:
        return yaml.load(f, Loader=Loader)  # noqa: S506 (a SafeLoader that knows Ansible's !unsafe)


def playbook_text(name):
    with open(os.path.join(REPO, "playbooks", name + ".yml")) as f:
        return f.read()


CREDENTIAL_TYPES = load("credential_types.yml")["credential_types"]


@pytest.mark.parametrize("ctype", CREDENTIAL_TYPES, ids=lambda c: c["name"])
def test_secrets_are_secret_inputs_and_reach_the_playbooks_as_extra_vars_only(ctype):
    assert set(ctype["injectors"]) == {"extra_vars"}, "no env, no file: extra vars only"
    fields = dict((f["id"], f) for f in ctype["inputs"]["fields"])
    for secret in ("api_key", "partition_pin"):
        if secret in fields:
            assert fields[secret].get("secret") is True
    answers = dict((name, "value-of-" + name) for name in fields)
    for variable, template in ctype["injectors"]["extra_vars"].items():
        rendered = jinja2.Environment(undefined=jinja2.StrictUndefined).from_string(template).render(answers)
        assert rendered.startswith("value-of-"), (variable, template)
        # The variable is one the deploy reads (the secrets among them).
        assert variable in playbook_text("deploy"), variable


def test_the_pin_and_the_api_key_have_a_credential_each():
    injected = set()
    for ctype in CREDENTIAL_TYPES:
        injected |= set(ctype["injectors"]["extra_vars"])
    assert {"vsatellite_partition_pin", "vsatellite_api_key", "vsatellite_api_url"} <= injected


@pytest.mark.parametrize("template", load("job_templates.yml")["job_templates"], ids=lambda t: t["name"])
def test_every_job_template_runs_a_playbook_of_the_collection(template):
    assert os.path.isfile(os.path.join(REPO, "playbooks", template["playbook"] + ".yml"))
    for question in template.get("survey", []):
        # A survey answer is an extra var; each is one the playbook (or what it imports) reads.
        text = playbook_text(template["playbook"])
        imported = re.findall(r"import_playbook: ngts\.vsatellite\.(\w+)", text)
        text += "".join(playbook_text(p) for p in imported)
        roles = os.path.join(REPO, "roles")
        for dirpath, dummy, names in os.walk(roles):
            for n in names:
                with open(os.path.join(dirpath, n)) as f:
                    text += f.read()
        assert question["variable"] in text, question["variable"]


def test_the_execution_environment_carries_python_pkcs11_as_the_collection_requires():
    with open(os.path.join(REPO, "requirements", "collection.txt")) as f:
        wanted = [line.strip() for line in f if line.strip() and not line.startswith("#")]
    ee = load("execution-environment.yml")
    assert set(wanted) <= set(ee["dependencies"]["python"])
    names = [c["name"] for c in ee["dependencies"]["galaxy"]["collections"]]
    assert "ngts.vsatellite" in names
    with open(os.path.join(REPO, "meta", "execution-environment.yml")) as f:
        meta = yaml.safe_load(f)
    assert os.path.isfile(os.path.join(REPO, meta["dependencies"]["python"]))
    assert os.path.isfile(os.path.join(REPO, meta["dependencies"]["system"]))
