#!/usr/bin/python
# -*- coding: utf-8 -*-
# MIT License (see the wfm-wizard repository)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: wfm_wizard
short_description: Make a wfm-wizard config say what the task says
description:
  - Runs C(wfm-wizard apply --answers FILE --json) on the target with an answers file
    built from the parameters. The same rules, journaled save and edit lock as the
    wizard; applying the same parameters twice changes nothing.
  - Secrets go to the binary on standard input as one YAML mapping, never on its
    command line or in its environment.
  - Check mode runs C(--check) (nothing is written); diff mode adds C(--diff), whose
    before/after texts hold keyring references and fingerprints, never a secret.
options:
  binary:
    description: The wfm-wizard executable on the target.
    type: path
    default: wfm-wizard
  config:
    description: The config file; the binary's default when left out.
    type: path
  secret_store:
    description: Where new secrets go (C(--secret-store)).
    type: str
    choices: [auto, systemd-creds, secret-service, keyutils, keychain, windows]
  confirmed:
    description: "Prerequisites confirmed, as C(<platform>/<operation>/<prerequisite>)."
    type: list
    elements: str
    default: []
  integrations:
    description:
      - The integrations the task is about, as in the answers file (platform,
        operation, group, state, enabled, settings). Others in the config are kept.
      - "A setting may name a secret source itself: C({env: VAR}) or C({file: PATH})."
    type: list
    elements: dict
    required: true
  secrets:
    description:
      - "Secret values by C(<platform>/<operation>/<group or default>/<field>). Each one
        becomes that setting's C({stdin: true}) and is sent on standard input."
    type: dict
    default: {}
    no_log: true
author:
  - wfm-wizard maintainers
"""

EXAMPLES = r"""
- name: RingCentral integrations
  wfm.wizard.wfm_wizard:
    config: /etc/wfm-wizard/integrations.yaml
    integrations:
      - platform: ringcentral-v1
        operation: historical
        group: east
        settings:
          client_id: AbCdEfGhIjKlMnOpQrStUv
          sub_account_id: "15910001"
    secrets:
      ringcentral-v1/historical/east/client_secret: "{{ vault_rc_client_secret }}"
      ringcentral-v1/historical/east/jwt: "{{ vault_rc_jwt }}"
"""

RETURN = r"""
integrations:
  description: Each integration named and what apply did (added, changed, removed, unchanged).
  type: list
  returned: always
secrets:
  description: Each secret field, its action (written, moved, unchanged, removed) and fingerprint.
  type: list
  returned: always
changes:
  description: The changes, one line each, secrets by fingerprint only.
  type: list
  returned: always
"""

import json
import os
import tempfile

from ansible.module_utils.basic import AnsibleModule


def field_name(integration, field):
    group = (integration.get("group") or "").strip() or "default"
    return "%s/%s/%s/%s" % (integration.get("platform"), integration.get("operation"), group, field)


def build_answers(params):
    """The answers file (JSON is YAML) and the names of the secrets sent on stdin."""
    integrations = []
    sent = set()
    for given in params["integrations"]:
        integration = dict(given)
        settings = dict(integration.get("settings") or {})
        for name in params["secrets"]:
            platform, _, rest = name.partition("/")
            operation, _, rest = rest.partition("/")
            group, _, field = rest.partition("/")
            if field and name == field_name(integration, field):
                settings[field] = {"stdin": True}
                sent.add(name)
        if settings:
            integration["settings"] = settings
        integrations.append(integration)
    answers = {"version": 1, "integrations": integrations}
    if params["confirmed"]:
        answers["confirmed"] = params["confirmed"]
    return answers, sent


def main():
    module = AnsibleModule(
        argument_spec=dict(
            binary=dict(type="path", default="wfm-wizard"),
            config=dict(type="path"),
            secret_store=dict(
                type="str",
                choices=["auto", "systemd-creds", "secret-service", "keyutils", "keychain", "windows"],
            ),
            confirmed=dict(type="list", elements="str", default=[]),
            integrations=dict(type="list", elements="dict", required=True),
            secrets=dict(type="dict", default={}, no_log=True),
        ),
        supports_check_mode=True,
    )
    params = module.params
    answers, sent = build_answers(params)
    unused = sorted(set(params["secrets"]) - sent)
    if unused:
        # Names, not values: `<platform>/<operation>/<group>/<field>`.
        module.fail_json(msg="secrets names no integration of the task: %s" % ", ".join(unused))

    command = [params["binary"]]
    if params["config"]:
        command += ["--config", params["config"]]
    if params["secret_store"]:
        command += ["--secret-store", params["secret_store"]]
    workdir = tempfile.mkdtemp(prefix="wfm-wizard-answers-")
    answers_path = os.path.join(workdir, "answers.yaml")
    try:
        descriptor = os.open(answers_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            json.dump(answers, handle)
        command += ["apply", "--answers", answers_path, "--json"]
        if module.check_mode:
            command.append("--check")
        if module._diff:
            command.append("--diff")
        stdin = json.dumps({name: params["secrets"][name] for name in sorted(sent)})
        rc, out, err = module.run_command(command, data=stdin, binary_data=True)
    finally:
        if os.path.exists(answers_path):
            os.unlink(answers_path)
        os.rmdir(workdir)

    if rc != 0:
        module.fail_json(msg=(err.strip() or out.strip() or "wfm-wizard apply failed"), rc=rc)
    try:
        report = json.loads(out)
    except ValueError:
        module.fail_json(msg="wfm-wizard apply printed no JSON report", rc=rc, stderr=err)
    result = dict(
        changed=bool(report.get("changed")),
        integrations=report.get("integrations", []),
        secrets=report.get("secrets", []),
        changes=report.get("changes", []),
        config=report.get("config"),
    )
    for line in err.splitlines():
        if line.strip():
            module.warn(line.strip())
    if module._diff and "diff" in report:
        result["diff"] = dict(
            before=report["diff"]["before"],
            after=report["diff"]["after"],
            before_header=report.get("config"),
            after_header=report.get("config"),
        )
        if report.get("changes"):
            # What the texts cannot show (a secret's new value), by fingerprint only.
            result["diff"]["prepared"] = "\n".join(report["changes"]) + "\n"

    module.exit_json(**result)


if __name__ == "__main__":
    main()
