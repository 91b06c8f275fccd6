#!/usr/bin/env python3
"""How fast, and how lean, is `groundwork check` against the ways people would otherwise read the
same facts? A benchmark anyone can run on one machine, against the project's AWS emulator.

    python3 scripts/bench.py --groundwork target/release/groundwork \\
        [--accounts 50] [--regions 4] [--concurrency 8] [--cli-sample 0] [--skip-prowler]
        [--latency-ms 0] [--throttle] [--output target/bench-results.json]
    python3 scripts/bench.py --groundwork target/release/groundwork --rates-report \
        [--accounts 50] [--scale-accounts 150] [--regions 4] [--concurrency 8]

It creates what it needs on first use (all under target/, nothing global):
  target/emulator-venv  from tests/emulator/requirements.txt (the tests' venv, same lock and stamp)
  target/bench-venv     from scripts/bench-requirements.txt (boto3 + AWS CLI v1), then re-runs
                        itself with that venv's python
  target/prowler-venv   `pip install prowler` (unpinned, 5-minute limit), for (d) only
and writes target/bench-results.json. Everything talks to 127.0.0.1 only.

What it does:
 1. Starts tests/emulator/server.py on a free loopback port and seeds it with boto3 into a known,
    mixed state: an organization (management account 123456789012) with "Log Archive", "Audit"
    and --accounts minus 2 "workload-NN" member accounts; an ACTIVE Control Tower landing zone
    governing the first --regions of us-east-1, eu-west-1, us-west-2, eu-central-1; all three
    alternate contacts everywhere; root MFA on; GuardDuty with Audit as delegated admin and a
    detector in every governed Region but org auto-enable ALL in only half of them; Security Hub
    enabled in Audit everywhere, Audit as admin, auto-enable on; a GuardDuty alert path (rule ->
    SNS topic with a pending email) in the first Region only.
 2. (a) Runs `groundwork check --json --concurrency C` (one untimed warm-up, then the median of 3)
    and measures wall time, AWS calls (the emulator's request log, cleared before each run), peak
    RSS (wait4's ru_maxrss, under a small launcher: see measured()) and the peak number of calls
    in flight on the server.
    It checks that the JSON parses and has every step (8 or more).
 3. Replays the calls groundwork made in one run (its request log, in arrival order: same service,
    operation, account and Region; parameters re-derived the way src/aws/*.rs sends them, e.g.
    GetAlternateContact's AlternateContactType and AccountId) one after another
    (b) with the AWS CLI v1, a new process per call, as a shell script would (Audit's
        credentials from one `aws sts assume-role`, passed as environment variables), and
    (c) from one boto3 session in one Python process, as a careful script would.
    Both get every parameter handed to them (detector ids, topic ARN, ...), where a real script
    would have to parse earlier answers for them: a flattering comparison for (b) and (c).
    With --cli-sample K, (b) runs K evenly spread calls and extrapolates per call (said so).
 4. (d) Prowler on the overlapping checks (GuardDuty, Security Hub, contacts, root MFA), pointed
    at the emulator with AWS_ENDPOINT_URL, from the management account only; if it cannot be
    installed or run, says exactly why and goes on.
 5. The wizard's first frame: the binary with no subcommand in tmux at 120x40, capture-pane every
    5 ms until the screen shows "Steps ·" (median of 5), then `q`.
 6. Prints the table and the targets (PASS/FAIL): (a) >= 50x faster than (b), >= 2x faster than
    (c), (a) peak memory < 64 MB, first frame < 150 ms; and how (a)'s wall time grows with the
    number of accounts and with concurrency (a smaller organization, and concurrency 1 / C / 4C).
 7. Stops the server (and tmux) at the end, on errors and on Ctrl-C. Exits 0 when every target
    passes, 1 when one fails.

--throttle turns on the emulator's throttling at AWS's documented rates (assets/rates.toml, per
account and Region; see tests/emulator/throttle.py) once it is seeded, for every contender.

--rates-report is a different, shorter run (no AWS CLI, no prowler, no wizard; it needs only the
emulator's venv): on the throttling emulator, for an added latency of 0, 50 and 150 ms, (a)
groundwork's check against (c) the same calls from sequential boto3, and against the rate bound:
the least time AWS's documented rates allow for the calls one check makes (for each (service,
operation, account, Region) bucket, (calls - burst) / rate; the slowest bucket bounds the run);
the throttled answers each contender met, groundwork's peak memory. Each timed contender starts
after the account has been quiet long enough for every bucket to be full again (rest_seconds:
the bound assumes full buckets; without the rest, a run inherits the buckets the one before it
drained). Then groundwork at
--scale-accounts (150) against --accounts (50) at 50 ms, to show how the time grows.

Numbers from the emulator are not AWS's: the emulator answers in ~1-20 ms of Python, serialised
by the GIL, where AWS takes ~50-300 ms over the network. With no latency the emulator's CPU is the
ceiling for every contender, which hides what concurrency buys; --latency-ms N makes the emulator
wait N ms in every call (off the GIL, like a round trip) to show it. Ratios are the point.
"""
import argparse
import concurrent.futures
import fcntl
import json
import os
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "target"
EMULATOR_VENV = Path(os.environ.get("GROUNDWORK_EMULATOR_VENV") or TARGET / "emulator-venv")  # as the tests
EMULATOR_REQUIREMENTS = ROOT / "tests" / "emulator" / "requirements.txt"
BENCH_VENV = TARGET / "bench-venv"
BENCH_REQUIREMENTS = ROOT / "scripts" / "bench-requirements.txt"
PROWLER_VENV = TARGET / "prowler-venv"
RESULTS = TARGET / "bench-results.json"

MGMT = "123456789012"  # moto's default account: the management account
ALL_REGIONS = ["us-east-1", "eu-west-1", "us-west-2", "eu-central-1"]
CONTACT_TYPES = ["SECURITY", "BILLING", "OPERATIONS"]  # src/aws/account.rs CONTACT_TYPES, same order
CT_ROLE = "AWSControlTowerExecution"  # the member role groundwork prefers once a landing zone exists
TOPIC = "groundwork-security-alerts"
RULE = "groundwork-high-findings"
PATTERN = {"source": ["aws.guardduty"], "detail-type": ["GuardDuty Finding"],
           "detail": {"severity": [{"numeric": [">=", 7]}]}}
# Seeding signs as the management account (an access key moto does not know = the default account).
SEED_CREDS = {"aws_access_key_id": "AKIAIOSFODNN7EXAMPLE", "aws_secret_access_key": "x"}
# What the contenders run with (the same dummy keys groundwork gets).
RUN_KEY, RUN_SECRET = "testing", "testing"
PROWLER_CHECKS = ["guardduty_is_enabled", "guardduty_delegated_admin_enabled_all_regions",
                  "securityhub_enabled", "securityhub_delegated_admin_enabled_all_regions",
                  "account_security_contact_information_is_registered", "iam_root_mfa_enabled"]
TARGETS = {"vs_cli": 50.0, "vs_boto3": 2.0, "rss_mb": 64.0, "first_frame_ms": 150.0}


def say(*parts):
    print(*parts, flush=True)


# --------------------------------------------------------------------------- venvs
def ensure_venv(venv, requirements):
    """venv's python, made from the pinned requirements on first use. Same protocol as the Rust
    harness (src/emulator.rs): a stamp file holding the requirements, a flock beside the venv."""
    python, stamp = venv / "bin" / "python", venv / "groundwork-installed.txt"
    wanted = requirements.read_text()
    if stamp.exists() and stamp.read_text() == wanted:
        return python
    TARGET.mkdir(exist_ok=True)
    with open(TARGET / f"{venv.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another test run or bench may be installing it
        if stamp.exists() and stamp.read_text() == wanted:
            return python
        say(f"creating {venv.relative_to(ROOT)} from {requirements.relative_to(ROOT)} ...")
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                        "-r", str(requirements)], check=True)
        stamp.write_text(wanted)
    return python


def reexec_in_bench_venv():
    """Run the rest of the benchmark with target/bench-venv's python (boto3, awscli)."""
    python = ensure_venv(BENCH_VENV, BENCH_REQUIREMENTS)
    if Path(sys.prefix).resolve() != BENCH_VENV.resolve():
        os.execv(str(python), [str(python), str(Path(__file__).resolve()), *sys.argv[1:]])


# --------------------------------------------------------------------------- measuring a child
# Peak memory is wait4's ru_maxrss, with a catch: Linux starts a child's maxrss at its parent's
# RSS when it forks, and exec keeps the larger value. Measured straight from this process (boto3
# loaded, ~90 MB) every child would seem to use at least that. So each measured command runs under
# this small launcher (python -I -S, ~9 MB): it forks, execs the command, waits with wait4 and
# writes the wall time, the peak RSS and the exit code to a file. A command smaller than the
# launcher would show the launcher's size (LAUNCHER_FLOOR_MB says how much that is).
LAUNCHER = r"""
import json, os, signal, sys, time
out, timeout, cmd = sys.argv[1], float(sys.argv[2]), sys.argv[3:]
t0 = time.perf_counter()
pid = os.fork()
if pid == 0:
    try:
        os.execvp(cmd[0], cmd)
    finally:
        os._exit(127)
signal.signal(signal.SIGALRM, lambda *_: os.kill(pid, signal.SIGKILL))
signal.setitimer(signal.ITIMER_REAL, timeout)
while True:
    try:
        _, status, usage = os.wait4(pid, 0)
        break
    except InterruptedError:
        continue
wall = time.perf_counter() - t0
with open(out, "w") as f:
    json.dump({"wall": wall, "maxrss_kb": usage.ru_maxrss, "code": os.waitstatus_to_exitcode(status)}, f)
"""


def measured(cmd, env, stdout_path=None, stdin=subprocess.DEVNULL, timeout=600):
    """Runs cmd under the launcher; returns (wall seconds, peak RSS in MB, exit code). The wall time
    is the launcher's, from fork to reaping: no Python start-up of ours in it."""
    out = open(stdout_path, "wb") if stdout_path else subprocess.DEVNULL
    err = tempfile.TemporaryFile()
    fd, result = tempfile.mkstemp(prefix="gw-bench-", suffix=".json")
    os.close(fd)
    try:
        launcher = [sys.executable, "-I", "-S", "-c", LAUNCHER, result, str(timeout), *cmd]
        subprocess.run(launcher, env=env, stdin=stdin, stdout=out, stderr=err, check=False)
        err.seek(0)
        measured.last_stderr = err.read().decode("utf-8", "replace")
        got = json.loads(Path(result).read_text() or "null")
        if got is None:
            raise RuntimeError(f"the launcher failed for {cmd[0]}: {measured.last_stderr[-500:]}")
        return got["wall"], got["maxrss_kb"] / 1024.0, got["code"]
    finally:
        err.close()
        os.unlink(result)
        if stdout_path:
            out.close()


measured.last_stderr = ""


def launcher_floor_mb():
    """The smallest peak RSS the launcher can report (a command that uses nothing: /bin/true)."""
    return measured(["true"], dict(os.environ))[1]


def clean_env(**extra):
    """The caller's environment without any AWS_ settings, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update({k: str(v) for k, v in extra.items()})
    return env


# --------------------------------------------------------------------------- the emulator
def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Emulator:
    """tests/emulator/server.py on a free loopback port, with its request log."""

    def __init__(self):
        self.proc, self.url, self.log = None, None, None

    def start(self, latency_ms=0.0):
        python = ensure_venv(EMULATOR_VENV, EMULATOR_REQUIREMENTS)
        # Paging off: the contenders are compared on the same calls, not on how many pages
        # the emulator's two-item pages cost each of them.
        env = {**os.environ, "GROUNDWORK_EMULATOR_LATENCY_MS": str(latency_ms), "GROUNDWORK_EMULATOR_PAGE_SIZE": "0"}
        for _ in range(3):  # a port taken between choosing and binding: try another
            port = free_port()
            self.url = f"http://127.0.0.1:{port}"
            self.log = open(TARGET / "bench-server.log", "w")
            self.proc = subprocess.Popen([str(python), str(ROOT / "tests/emulator/server.py"), "--port", str(port)],
                                         stdout=subprocess.DEVNULL, stderr=self.log, env=env)
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and self.proc.poll() is None:
                try:
                    with urllib.request.urlopen(self.url + "/_groundwork/health", timeout=1) as r:
                        if r.status == 200:
                            return self
                except OSError:
                    time.sleep(0.1)
            self.stop()
        raise RuntimeError(f"the emulator did not start; see {TARGET / 'bench-server.log'}")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()  # the server exits on SIGTERM
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.log:
            self.log.close()
        self.proc = None

    def http(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=60) as r:
            raw = r.read()
        return json.loads(raw) if raw else None

    def reset(self):
        self.http("POST", "/moto-api/reset")

    def clear_log(self):
        self.http("POST", "/_groundwork/requests/clear")

    def requests(self):
        return self.http("GET", "/_groundwork/requests")["requests"]

    def peak(self):
        return self.http("GET", "/_groundwork/requests/peak")["peak"]

    def throttle(self, enabled):
        """AWS's documented rates on or off (tests/emulator/throttle.py); seeding runs with them off."""
        return self.http("POST", "/_groundwork/throttle", {"enabled": enabled})


# --------------------------------------------------------------------------- seeding
def seed(emu, n_accounts, regions):
    """The mixed state described in the docstring; returns what the replays need to know."""
    import boto3
    from botocore.config import Config

    cfg = Config(retries={"total_max_attempts": 1}, max_pool_connections=16)

    def client(service, region="us-east-1", creds=None):
        return boto3.client(service, endpoint_url=emu.url, region_name=region, config=cfg, **(creds or SEED_CREDS))

    pool = concurrent.futures.ThreadPoolExecutor(8)
    org = client("organizations")
    org.create_organization(FeatureSet="ALL")
    names = ["Log Archive", "Audit"] + [f"workload-{i:02d}" for i in range(1, n_accounts - 1)]

    def create(name):
        email = name.lower().replace(" ", "-") + "@example.com"
        return org.create_account(Email=email, AccountName=name)["CreateAccountStatus"]["AccountId"]

    ids = list(pool.map(create, names))
    log_archive, audit, members = ids[0], ids[1], ids
    retention = {"loggingBucket": {"retentionDays": 365}, "accessLoggingBucket": {"retentionDays": 3650}}
    manifest = {"governedRegions": regions,  # landing zone 4.0, as tests/common/seed.rs manifest_4
                "centralizedLogging": {"enabled": True, "accountId": log_archive, "configurations": retention},
                "config": {"enabled": True, "accountId": audit, "configurations": retention},
                "securityRoles": {"enabled": True, "accountId": audit}, "accessManagement": {"enabled": True},
                "backup": {"enabled": False}}
    # "launch": what a launch leaves, AWSControlTowerExecution in Log Archive and Audit among it.
    lz_arn = emu.http("POST", "/_groundwork/controltower/landing-zone",
                      {"account": MGMT, "region": "us-east-1", "status": "ACTIVE", "drift": "IN_SYNC",
                       "version": "4.0", "latestAvailableVersion": "4.0", "manifest": manifest,
                       "launch": True})["arn"]

    def enrolled(member):  # the execution role Control Tower leaves in every account it enrols
        c = client("sts").assume_role(RoleArn=f"arn:aws:iam::{member}:role/OrganizationAccountAccessRole",
                                      RoleSessionName="bench-seed")["Credentials"]
        iam = client("iam", creds={"aws_access_key_id": c["AccessKeyId"], "aws_secret_access_key": c["SecretAccessKey"],
                                   "aws_session_token": c["SessionToken"]})
        trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                         "Principal": {"AWS": f"arn:aws:iam::{MGMT}:root"}}]}
        iam.create_role(RoleName=CT_ROLE, AssumeRolePolicyDocument=json.dumps(trust))
        iam.attach_role_policy(RoleName=CT_ROLE, PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")

    list(pool.map(enrolled, ids[2:]))

    # Members' contacts are written from the management account, which AWS allows only with trusted
    # access for Account Management (the emulator enforces it too).
    org.enable_aws_service_access(ServicePrincipal="account.amazonaws.com")
    account = client("account")

    def contacts(target):
        for kind in CONTACT_TYPES:
            extra = {} if target == MGMT else {"AccountId": target}
            account.put_alternate_contact(AlternateContactType=kind, EmailAddress=f"{kind.lower()}@example.com",
                                          Name=kind.title(), PhoneNumber="+15555550100", Title=kind.title(), **extra)

    list(pool.map(contacts, [MGMT] + members))
    emu.http("POST", "/_groundwork/iam/account-summary", {"account": MGMT, "AccountMFAEnabled": 1})

    c = client("sts").assume_role(RoleArn=f"arn:aws:iam::{audit}:role/{CT_ROLE}", RoleSessionName="bench-seed")
    c = c["Credentials"]
    audit_creds = {"aws_access_key_id": c["AccessKeyId"], "aws_secret_access_key": c["SecretAccessKey"],
                   "aws_session_token": c["SessionToken"]}
    detectors = {}

    def region_setup(i_region):
        i, region = i_region
        client("guardduty", region).enable_organization_admin_account(AdminAccountId=audit)
        gd = client("guardduty", region, audit_creds)
        det = gd.create_detector(Enable=True)["DetectorId"]
        if i < len(regions) // 2:  # org auto-enable ALL in half the Regions: a partial step
            gd.update_organization_configuration(DetectorId=det, AutoEnableOrganizationMembers="ALL")
        client("securityhub", region, audit_creds).enable_security_hub()
        return region, det

    detectors.update(pool.map(region_setup, enumerate(regions)))
    client("securityhub").enable_organization_admin_account(AdminAccountId=audit)
    client("securityhub", creds=audit_creds).update_organization_configuration(
        AutoEnable=True, AutoEnableStandards="DEFAULT")

    first = regions[0]
    sns = client("sns", first, audit_creds)
    topic = sns.create_topic(Name=TOPIC)["TopicArn"]
    policy = {"Version": "2012-10-17", "Statement": [{
        "Sid": "AllowEventBridge", "Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"},
        "Action": "sns:Publish", "Resource": topic}]}
    sns.set_topic_attributes(TopicArn=topic, AttributeName="Policy", AttributeValue=json.dumps(policy))
    sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="security@example.com")
    events = client("events", first, audit_creds)
    events.put_rule(Name=RULE, EventPattern=json.dumps(PATTERN, separators=(",", ":")), State="ENABLED")
    events.put_targets(Rule=RULE, Targets=[{"Id": "groundwork-alerts", "Arn": topic}])
    pool.shutdown()
    # Identity Center: moto makes the instance on first sight; groundwork reads its users.
    store = client("sso-admin").list_instances()["Instances"][0]["IdentityStoreId"]
    return {"accounts": n_accounts, "regions": regions, "log_archive": log_archive, "audit": audit,
            "members": members, "lz_arn": lz_arn, "detectors": {(audit, r): d for r, d in detectors.items()},
            "topic": topic, "identity_store": store}


# --------------------------------------------------------------------------- (a) groundwork
def groundwork_env(emu, state_dir):
    return clean_env(AWS_ENDPOINT_URL=emu.url, AWS_ACCESS_KEY_ID=RUN_KEY, AWS_SECRET_ACCESS_KEY=RUN_SECRET,
                     AWS_REGION="us-east-1", AWS_EC2_METADATA_DISABLED="true", GROUNDWORK_STATE_DIR=state_dir,
                     AWS_CONFIG_FILE="/nonexistent", AWS_SHARED_CREDENTIALS_FILE="/nonexistent")


def run_groundwork(emu, binary, concurrency, runs=3, rest=0.0):
    """One untimed warm-up, then `runs` timed runs, each after `rest` seconds of quiet (see
    rest_seconds). Returns the summary and the last run's log."""
    samples, log, statuses = [], None, None
    for i in range(runs + 1):
        if i > 0 and rest > 0:
            time.sleep(rest)
        emu.clear_log()
        with tempfile.TemporaryDirectory(prefix="gw-bench-state-") as state, \
                tempfile.NamedTemporaryFile(suffix=".json") as out:
            wall, rss, code = measured([binary, "check", "--json", "--concurrency", str(concurrency)],
                                       groundwork_env(emu, state), stdout_path=out.name, timeout=600)
            raw = Path(out.name).read_text()
        if code not in (0, 1):  # 1 = some step not done (expected: the state is mixed); 2 = failed
            raise RuntimeError(f"groundwork exited {code}: {measured.last_stderr.strip()[-2000:]}")
        report = json.loads(raw)  # must parse
        if len(report.get("steps", [])) < 8:
            raise RuntimeError(f"expected every step in the JSON, got {len(report.get('steps', []))}")
        log = emu.requests()
        statuses = {s["id"]: s["status"] for s in report["steps"]}
        if i == 0:
            continue  # warm-up: moto builds backends and caches on first sight
        samples.append({"wall": wall, "rss_mb": rss, "calls": len(log), "peak": emu.peak(), **log_stats(log),
                        "repeats": repeats(log), "assume_role": assume_roles(log)})
    return {"wall": statistics.median(s["wall"] for s in samples), "walls": [s["wall"] for s in samples],
            "calls": samples[-1]["calls"], "calls_per_run": [s["calls"] for s in samples],
            "rss_mb": max(s["rss_mb"] for s in samples), "peak_in_flight": max(s["peak"] for s in samples),
            "span": statistics.median(s["span"] for s in samples), "busy": statistics.median(s["busy"] for s in samples),
            "steps": statuses, "repeats_per_run": [s["repeats"] for s in samples],
            "assume_role_per_run": [s["assume_role"] for s in samples]}, log


def repeats(log):
    """Calls with the same service, operation, account and Region more than once in one run, as
    {"service operation account region": count}."""
    counts = Counter(" ".join(map(str, (r["service"], r["operation"], r["account"], r["region"]))) for r in log)
    return {k: n for k, n in sorted(counts.items()) if n > 1}


def log_stats(log):
    """From the request log: "span", first arrival to last answer, and "busy", the time at least
    one request was in the emulator (the union of the intervals), in seconds."""
    done = sorted((r["start"], r["end"]) for r in log if r["end"] is not None)
    if not done:
        return {"span": 0.0, "busy": 0.0}
    busy, (lo, hi) = 0.0, done[0]
    for start, end in done[1:]:
        if start > hi:
            busy, lo, hi = busy + hi - lo, start, end
        else:
            hi = max(hi, end)
    return {"span": max(e for _, e in done) - done[0][0], "busy": busy + hi - lo}


def assume_roles(log):
    """How many AssumeRoles one run made for each account it assumed a role in."""
    return dict(sorted(Counter(r["role_account"] for r in log if r["operation"] == "AssumeRole").items()))


def explain_repeat(key, n, world):
    """Why a repeat may be legitimate: the request log holds no parameters."""
    service, op = key.split()[:2]
    if (service, op) == ("account", "GetAlternateContact"):
        expected = len(CONTACT_TYPES) * (1 + len(world["members"]))
        verdict = "expected" if n == expected else f"UNEXPECTED (expected {expected})"
        return (f"{verdict}: 3 contact types x {1 + len(world['members'])} accounts, all asked from "
                f"the management account with AccountId")
    if (service, op) == ("sts", "AssumeRole"):
        return "one per member account? see role_account below"
    return "same call, same account and Region: a candidate for caching"


# --------------------------------------------------------------------------- the replay plan
def plan_from_log(log, world):
    """groundwork's calls as explicit calls: boto3 client + method, CLI words, parameters, and
    whose credentials (management's own, or an assumed role's account)."""
    import botocore.session
    from botocore import xform_name

    models = botocore.session.get_session()
    contacts = [(None, k) for k in CONTACT_TYPES] + [(a, k) for a in world["members"] for k in CONTACT_TYPES]
    plan, skipped, assumed = [], [], set()
    for entry in sorted(log, key=lambda r: r["start"]):  # arrival order
        service, op, account, region = entry["service"], entry["operation"], entry["account"], entry["region"]
        client = {"sso": "sso-admin"}.get(service, service)  # SigV4 name -> boto3/CLI name
        params = {}
        if (service, op) == ("sts", "AssumeRole"):
            params = {"RoleArn": f"arn:aws:iam::{entry['role_account']}:role/{CT_ROLE}",
                      "RoleSessionName": "groundwork"}
            assumed.add(entry["role_account"])
        elif (service, op) == ("account", "GetAlternateContact"):
            target, kind = contacts.pop(0) if contacts else (None, "SECURITY")
            params = {"AlternateContactType": kind, **({"AccountId": target} if target else {})}
        elif (service, op) == ("controltower", "GetLandingZone"):
            params = {"landingZoneIdentifier": world["lz_arn"]}
        elif service == "guardduty" and op in ("GetDetector", "DescribeOrganizationConfiguration"):
            params = {"DetectorId": world["detectors"].get((account, region), "unknown")}
        elif (service, op) == ("events", "ListTargetsByRule"):
            params = {"Rule": RULE}
        elif service == "sns" and op in ("GetTopicAttributes", "ListSubscriptionsByTopic"):
            params = {"TopicArn": world["topic"]}
        elif (service, op) == ("identitystore", "ListUsers"):
            params = {"IdentityStoreId": world["identity_store"]}
        try:
            required = models.get_service_model(client).operation_model(op).input_shape
            required = set(required.required_members) if required else set()
        except Exception as e:  # an operation botocore does not know by that name
            skipped.append(f"{service} {op}: {e}")
            continue
        if not required <= set(params):
            skipped.append(f"{service} {op}: needs {sorted(required - set(params))}")
            continue
        creds = "own" if account == MGMT else account
        if creds != "own" and creds not in assumed:
            skipped.append(f"{service} {op} in {account}: no AssumeRole for it before")
            continue
        plan.append({"client": client, "method": xform_name(op), "cli": [client, xform_name(op, "-")],
                     "operation": op, "params": params, "region": region, "creds": creds,
                     "assume": entry["role_account"] if op == "AssumeRole" else None})
    return plan, skipped


# --------------------------------------------------------------------------- (c) boto3, one process
def replay_boto3_child(plan_path, url):
    """Runs in a child process (`bench.py --replay-boto3 PLAN URL`): one session, a client per
    service, Region and credentials, every call one after another. Prints a JSON summary."""
    import boto3
    from botocore.exceptions import ClientError

    plan = json.loads(Path(plan_path).read_text())
    sessions = {"own": boto3.session.Session(aws_access_key_id=RUN_KEY, aws_secret_access_key=RUN_SECRET)}
    clients, errors = {}, []
    for call in plan:
        key = (call["client"], call["region"], call["creds"])
        if key not in clients:
            clients[key] = sessions[call["creds"]].client(call["client"], region_name=call["region"], endpoint_url=url)
        try:
            out = getattr(clients[key], call["method"])(**call["params"])
        except ClientError as e:
            errors.append(f"{call['operation']}: {e.response['Error'].get('Code')}")
            continue
        if call["assume"]:
            c = out["Credentials"]
            sessions[call["assume"]] = boto3.session.Session(
                aws_access_key_id=c["AccessKeyId"], aws_secret_access_key=c["SecretAccessKey"],
                aws_session_token=c["SessionToken"])
    print(json.dumps({"calls": len(plan), "errors": errors}))


def run_boto3(emu, plan):
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(plan, f)
    try:
        with tempfile.NamedTemporaryFile(suffix=".json") as out:
            emu.clear_log()
            wall, rss, code = measured([sys.executable, str(Path(__file__).resolve()), "--replay-boto3", f.name,
                                        emu.url], clean_env(AWS_CONFIG_FILE="/nonexistent",
                                                            AWS_SHARED_CREDENTIALS_FILE="/nonexistent",
                                                            AWS_EC2_METADATA_DISABLED="true"),
                                       stdout_path=out.name, timeout=1800)
            if code != 0:
                raise RuntimeError(f"boto3 replay failed: {measured.last_stderr[-2000:]}")
            summary = json.loads(Path(out.name).read_text())
    finally:
        os.unlink(f.name)
    log = emu.requests()
    return {"wall": wall, "calls": len(log), "rss_mb": rss, "peak_in_flight": emu.peak(),
            "errors": summary["errors"], **log_stats(log)}


# --------------------------------------------------------------------------- (b) AWS CLI, a process a call
def run_cli(emu, plan, sample):
    """Every call as `aws --endpoint-url URL --region R <service> <op> --param value`, a new process
    each, one after another; Audit's keys come from one `aws sts assume-role`, as env vars."""
    from botocore import xform_name

    aws = str(BENCH_VENV / "bin" / "aws")
    base = clean_env(AWS_ACCESS_KEY_ID=RUN_KEY, AWS_SECRET_ACCESS_KEY=RUN_SECRET, AWS_DEFAULT_REGION="us-east-1",
                     AWS_CONFIG_FILE="/nonexistent", AWS_SHARED_CREDENTIALS_FILE="/nonexistent",
                     AWS_EC2_METADATA_DISABLED="true")
    chosen = list(range(len(plan)))
    if 0 < sample < len(plan):  # evenly spread, plus the AssumeRoles the chosen calls need
        picked = {round(i * (len(plan) - 1) / max(sample - 1, 1)) for i in range(sample)}
        needed = {plan[i]["creds"] for i in picked} - {"own"}
        picked |= {i for i, c in enumerate(plan) if c["assume"] in needed}
        chosen = sorted(picked)
    envs, errors, walls, peak_rss = {"own": base}, [], 0.0, 0.0
    emu.clear_log()
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        for i in chosen:
            call = plan[i]
            args = [aws, "--endpoint-url", emu.url, "--region", call["region"], "--output", "json", *call["cli"]]
            for name, value in call["params"].items():
                args += ["--" + xform_name(name, "-"), str(value)]
            wall, rss, code = measured(args, envs[call["creds"]], stdout_path=out.name, timeout=120)
            walls += wall
            peak_rss = max(peak_rss, rss)
            if code != 0:
                errors.append(f"{call['operation']}: exit {code}: {measured.last_stderr.strip()[-200:]}")
                continue
            if call["assume"]:  # what a shell script does with jq: export the three variables
                c = json.loads(Path(out.name).read_text())["Credentials"]
                envs[call["assume"]] = {**base, "AWS_ACCESS_KEY_ID": c["AccessKeyId"],
                                        "AWS_SECRET_ACCESS_KEY": c["SecretAccessKey"],
                                        "AWS_SESSION_TOKEN": c["SessionToken"]}
    total = walls  # the processes' own wall times, one after another: the launcher's start-up is not in it
    ran = len(chosen)
    log = emu.requests()
    result = {"wall": total, "calls": len(log), "rss_mb": peak_rss, "peak_in_flight": emu.peak(), **log_stats(log),
              "errors": errors, "ran": ran, "of": len(plan), "extrapolated": ran < len(plan)}
    if ran < len(plan):
        result["sample_wall"] = total
        result["wall"] = total / ran * len(plan)
        result["calls"] = len(plan)
    return result


# --------------------------------------------------------------------------- (d) prowler
def prowler_binary():
    """target/prowler-venv's prowler, installing it (5-minute limit) if needed; or why not."""
    binary = PROWLER_VENV / "bin" / "prowler"
    if binary.exists():
        ok = subprocess.run([str(binary), "--version"], capture_output=True, text=True, timeout=120)
        if ok.returncode == 0:
            return binary, None
    say("installing prowler into target/prowler-venv (up to 5 minutes) ...")
    try:
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(PROWLER_VENV)], check=True)
        pip = subprocess.Popen([str(PROWLER_VENV / "bin" / "pip"), "install", "--quiet", "--disable-pip-version-check",
                                "prowler"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               start_new_session=True)
        try:
            output, _ = pip.communicate(timeout=300)
        except subprocess.TimeoutExpired:
            os.killpg(pip.pid, signal.SIGKILL)  # pip and any build it started (its own session)
            pip.communicate()
            return None, "`pip install prowler` did not finish within 5 minutes"
        except BaseException:  # Ctrl-C does not reach pip's own session: stop it here
            os.killpg(pip.pid, signal.SIGKILL)
            raise
        if pip.returncode != 0:
            return None, f"`pip install prowler` failed (exit {pip.returncode}): {output.strip()[-600:]}"
    except (OSError, subprocess.SubprocessError) as e:
        return None, f"could not create target/prowler-venv: {e}"
    if not binary.exists():
        return None, "prowler installed but has no `prowler` command"
    return binary, None


def run_prowler(emu, world):
    binary, why = prowler_binary()
    if binary is None:
        return {"skipped": why}
    version = subprocess.run([str(binary), "--version"], capture_output=True, text=True).stdout.strip()
    with tempfile.TemporaryDirectory(prefix="gw-bench-prowler-") as outdir:
        env = clean_env(AWS_ENDPOINT_URL=emu.url, AWS_ACCESS_KEY_ID=RUN_KEY, AWS_SECRET_ACCESS_KEY=RUN_SECRET,
                        AWS_DEFAULT_REGION="us-east-1", AWS_REGION="us-east-1", AWS_EC2_METADATA_DISABLED="true",
                        AWS_CONFIG_FILE="/nonexistent", AWS_SHARED_CREDENTIALS_FILE="/nonexistent",
                        HOME=outdir)
        cmd = [str(binary), "aws", "--no-banner", "--no-color", "--checks", *PROWLER_CHECKS,
               "--region", *world["regions"], "--output-formats", "json-ocsf", "--output-directory", outdir,
               "--ignore-exit-code-3"]
        emu.clear_log()
        wall, rss, code = measured(cmd, env, stdout_path=os.path.join(outdir, "stdout.txt"), timeout=900)
        log = emu.requests()
        findings = []
        for f in Path(outdir).glob("*.ocsf.json"):
            try:
                findings += json.loads(f.read_text())
            except ValueError:
                pass
        stdout_tail = Path(outdir, "stdout.txt").read_text(errors="replace").strip()[-800:]
    if code != 0 or not findings:
        why = f"prowler {version} exited {code} after {wall:.1f}s with {len(findings)} findings; stderr: " \
              f"{measured.last_stderr.strip()[-600:] or '(empty)'}; stdout: {stdout_tail or '(empty)'}"
        return {"skipped": why, "wall": wall, "calls": len(log), "rss_mb": rss}
    statuses = Counter(f"{f.get('metadata', {}).get('event_code', '?')}={f.get('status_code', '?')}" for f in findings)
    calls = Counter(f"{r['service']}:{r['operation']}" for r in log)
    return {"wall": wall, "calls": len(log), "rss_mb": rss, "peak_in_flight": emu.peak(), "version": version,
            **log_stats(log),
            "findings": dict(sorted(statuses.items())), "operations": dict(sorted(calls.items())),
            "scope": "management account only (prowler checks the account it runs in), "
                     f"{len(PROWLER_CHECKS)} overlapping checks, the governed Regions"}


# --------------------------------------------------------------------------- the wizard's first frame
def first_frames(emu, binary, runs=5):
    """Milliseconds from starting the wizard in tmux (120x40) until the screen shows "Steps ·"."""
    tmux = shutil.which("tmux")
    if not tmux:
        return {"skipped": "tmux is not installed"}
    sock = f"gw-bench-{os.getpid()}"  # our own tmux server: never touches anyone else's sessions
    t = [tmux, "-L", sock, "-f", "/dev/null", "-u"]
    times, failures = [], []
    try:
        subprocess.run(t + ["new-session", "-d", "-s", "idle", "-x", "120", "-y", "40", "sleep 3600"], check=True)
        for i in range(runs):
            with tempfile.TemporaryDirectory(prefix="gw-bench-state-") as state:
                env = groundwork_env(emu, state)
                keep = {k: env[k] for k in env if k.startswith(("AWS_", "GROUNDWORK_"))}
                keep.update(PATH=os.environ.get("PATH", "/usr/bin:/bin"), HOME=os.environ.get("HOME", "/root"),
                            TERM="tmux-256color", LANG="C.UTF-8", LC_ALL="C.UTF-8")
                command = shlex.join(["env", "-i", *[f"{k}={v}" for k, v in keep.items()], binary])
                name = f"wizard{i}"
                t0 = time.perf_counter()
                subprocess.run(t + ["new-session", "-d", "-s", name, "-x", "120", "-y", "40", command], check=True)
                seen = None
                while time.perf_counter() - t0 < 15:
                    screen = subprocess.run(t + ["capture-pane", "-p", "-t", name], capture_output=True, text=True)
                    if "Steps ·" in screen.stdout:
                        seen = time.perf_counter() - t0
                        break
                    if screen.returncode != 0:  # the session is gone: the wizard exited
                        break
                    time.sleep(0.005)
                subprocess.run(t + ["send-keys", "-t", name, "q"], capture_output=True)
                time.sleep(0.3)
                subprocess.run(t + ["kill-session", "-t", name], capture_output=True)
                if seen is None:
                    failures.append(f"run {i + 1}: no 'Steps ·' within 15 s; last screen: "
                                    f"{screen.stdout.strip()[-300:]!r}")
                else:
                    times.append(seen * 1000)
    finally:
        subprocess.run(t + ["kill-server"], capture_output=True)
    if not times:
        return {"skipped": "; ".join(failures)}
    return {"median_ms": statistics.median(times), "runs_ms": times, "failures": failures}


# --------------------------------------------------------------------------- report
def fmt(v, spec):
    return "-" if v is None else format(v, spec)


def report(results, output):
    a, b, c, d = (results["contenders"].get(k, {}) for k in ("a", "b", "c", "d"))
    say("")
    say(f"groundwork benchmark: {results['accounts']} member accounts (+ management), "
        f"{len(results['regions'])} Regions ({', '.join(results['regions'])}), concurrency {results['concurrency']}")
    say(f"binary: {results['binary']}")
    if results["latency_ms"]:
        say(f"emulator latency: +{results['latency_ms']:g} ms in every AWS call (--latency-ms)")
    say("")
    say(f"{'':42} {'wall s':>9} {'AWS calls':>10} {'peak RSS MB':>12} {'in flight':>10} {'x (a)':>8}")
    rows = [("(a) groundwork check (median of 3)", a), ("(b) AWS CLI v1, a process per call", b),
            ("(c) boto3, one process, sequential", c), ("(d) prowler (overlapping checks)", d)]
    for label, r in rows:
        if r.get("skipped") and "wall" not in r:
            say(f"{label:42} skipped: {r['skipped']}")
            continue
        ratio = r["wall"] / a["wall"] if a.get("wall") and r is not a else None
        say(f"{label:42} {fmt(r.get('wall'), '9.3f')} {fmt(r.get('calls'), '10d')} {fmt(r.get('rss_mb'), '12.1f')} "
            f"{fmt(r.get('peak_in_flight'), '10d')} {fmt(ratio, '8.1f')}")
    spans = [f"{k} {r['busy']:.2f}/{r['span']:.2f}" for k, r in zip("abcd", (a, b, c, d)) if "span" in r]
    say("    emulator busy / first-to-last request, s (the rest of the wall time is the client's own): "
        + ", ".join(spans))
    say(f"    peak RSS: wait4's ru_maxrss of each process (for (b) the largest one), measured under a "
        f"launcher whose own floor is {results['launcher_floor_mb']:.1f} MB")
    if b.get("extrapolated"):
        say(f"    (b) is extrapolated: {b['ran']} of {b['of']} calls run ({b['sample_wall']:.1f} s), "
            f"scaled per call to {b['of']}")
    if d.get("skipped"):
        say(f"    (d) not comparable: {d['skipped']}")
    elif d:
        say(f"    (d) {d['version']}; scope: {d['scope']}")
        say(f"        findings: {d['findings']}")
        say(f"        its AWS calls: {d['operations']}")
    for key in ("b", "c"):
        if results["contenders"].get(key, {}).get("errors"):
            say(f"    ({key}) errors: {results['contenders'][key]['errors'][:5]}")
    say("")
    say("targets:")
    for line in results["targets"]:
        say(f"  {'PASS' if line['pass'] else 'FAIL'}  {line['what']}: {line['got']}")
    say("")
    say("how (a) grows (median wall of 3 runs after a warm-up):")
    say(f"  {'accounts':>8} {'Regions':>7} {'conc.':>5} {'acc*Reg/conc':>12} {'calls':>6} {'wall s':>8} "
        f"{'ms/call':>8} {'in flight':>9}")
    for s in results["scaling"]:
        say(f"  {s['accounts']:8d} {s['regions']:7d} {s['concurrency']:5d} "
            f"{s['accounts'] * s['regions'] / s['concurrency']:12.1f} {s['calls']:6d} {s['wall']:8.3f} "
            f"{1000 * s['wall'] / s['calls']:8.2f} {s['peak_in_flight']:9d}")
    say("")
    say(f"groundwork's AWS calls per run: {a.get('calls')} (each timed run: {a.get('calls_per_run')})")
    say(f"groundwork's step statuses: {a.get('steps')}")
    say("calls repeated within one run (service, operation, account, Region: count):")
    for r in results["repeats"] or [{"key": "none", "count": 0, "why": ""}]:
        say(f"  {r['key']}: {r['count']}  {r['why']}")
    extra = {k: n for k, n in results["repeats_any_run"].items() if k not in {r["key"] for r in results["repeats"]}}
    if extra:
        say(f"  in other runs (other sizes or concurrency), also: {extra}")
    say(f"AssumeRole per member account in one run: {results['assume_role'] or 'none'}; "
        f"in each of the {len(results['assume_role_every_run'])} timed runs: "
        f"{'once per assumed account' if all(set(r.values()) <= {1} for r in results['assume_role_every_run']) else results['assume_role_every_run']}")
    if results["replay_skipped"]:
        say(f"not replayed (parameters unknown): {results['replay_skipped']}")
    say(f"\nresults written to {output}")


def targets(results, first_frame):
    a, b, c = (results["contenders"][k] for k in ("a", "b", "c"))
    out = [{"what": f"(a) >= {TARGETS['vs_cli']:.0f}x faster than (b)", "got": f"{b['wall'] / a['wall']:.1f}x",
            "pass": b["wall"] / a["wall"] >= TARGETS["vs_cli"]},
           {"what": f"(a) >= {TARGETS['vs_boto3']:.0f}x faster than (c)", "got": f"{c['wall'] / a['wall']:.2f}x",
            "pass": c["wall"] / a["wall"] >= TARGETS["vs_boto3"]},
           {"what": f"(a) peak memory < {TARGETS['rss_mb']:.0f} MB", "got": f"{a['rss_mb']:.1f} MB",
            "pass": a["rss_mb"] < TARGETS["rss_mb"]}]
    if "median_ms" in first_frame:
        out.append({"what": f"wizard first frame < {TARGETS['first_frame_ms']:.0f} ms",
                    "got": f"{first_frame['median_ms']:.0f} ms (median of {len(first_frame['runs_ms'])}: "
                           + ", ".join(f"{t:.0f}" for t in first_frame["runs_ms"]) + ")",
                    "pass": first_frame["median_ms"] < TARGETS["first_frame_ms"]})
    else:
        out.append({"what": f"wizard first frame < {TARGETS['first_frame_ms']:.0f} ms",
                    "got": f"not measured: {first_frame['skipped']}", "pass": False})
    return out


# --------------------------------------------------------------------------- --rates-report
RATES = ROOT / "assets" / "rates.toml"
PREFIX_OF_SIGNING_NAME = {"monitoring": "cloudwatch"}  # as tests/emulator/throttle.py


def rate_bound(log):
    """The least time AWS's documented rates allow for the calls in `log` (the accepted ones: what
    one check needs), if every call could go at once: per (service, operation, account, Region)
    bucket, what exceeds the burst waits for the refill, (n - burst) / rate; buckets refill in
    parallel, so the slowest one bounds the run. Returns (seconds, that bucket, its calls)."""
    import tomllib
    table = tomllib.loads(RATES.read_text())["services"]
    per = Counter()
    for r in log:
        if r.get("throttled") or not r["service"]:
            continue
        service = PREFIX_OF_SIGNING_NAME.get(r["service"], r["service"])
        s = table.get(service)
        if s is None:
            continue
        per[(service, r["operation"], r["account"], "" if s.get("global") else r["region"])] += 1
    bound, worst = 0.0, (None, 0)
    for key, n in per.items():
        s = table[key[0]]
        lim = (s.get("operations") or {}).get(key[1]) or s["default"]
        t = max(0.0, (n - lim["burst"]) / lim["rate"])
        if t > bound or worst[0] is None:
            bound, worst = max(bound, t), (key, n)
    return bound, worst


def rest_seconds():
    """How long an account must be quiet for every bucket of assets/rates.toml to be full again
    (the longest burst / rate). The rate bound assumes full buckets, as a person's first check of
    the day meets them; a contender started right after another would inherit drained ones."""
    import tomllib
    table = tomllib.loads(RATES.read_text())["services"]
    limits = [lim for s in table.values() for lim in [s["default"], *(s.get("operations") or {}).values()]]
    return max(lim["burst"] / lim["rate"] for lim in limits)


def throttled(log):
    return sum(1 for r in log if r.get("throttled"))


def rates_world(args, latency, accounts, regions, binary, replay):
    """One emulator at `latency`: seeded, throttling on, groundwork's check (warm-up + 1 timed run)
    and, if `replay`, sequential boto3 replaying the same calls."""
    emu = Emulator()
    try:
        emu.start(latency)
        world = seed(emu, accounts, regions)
        emu.throttle(True)
        rest = rest_seconds()
        a, log = run_groundwork(emu, binary, args.concurrency, runs=1, rest=rest)
        bound, (bucket, n) = rate_bound(log)
        row = {"latency_ms": latency, "accounts": accounts, "regions": len(regions), "groundwork": a["wall"],
               "calls": a["calls"], "rss_mb": a["rss_mb"], "peak_in_flight": a["peak_in_flight"],
               "groundwork_throttled": throttled(log), "rate_bound": bound,
               "rate_bound_bucket": " ".join(bucket) if bucket else None, "rate_bound_calls": n}
        if replay:
            plan, skipped = plan_from_log(log, world)
            time.sleep(rest)
            c = run_boto3(emu, plan)
            row.update(boto3=c["wall"], boto3_calls=c["calls"], boto3_throttled=throttled(emu.requests()),
                       boto3_errors=c["errors"], replay_skipped=skipped)
        return row
    finally:
        emu.stop()


def rates_report(args):
    regions = ALL_REGIONS[:args.regions]
    binary = str(Path(args.groundwork).resolve())
    rows = []
    for latency in (0.0, 50.0, 150.0):
        say(f"{args.accounts} accounts x {len(regions)} Regions, +{latency:g} ms, throttling at AWS's rates ...")
        rows.append(rates_world(args, latency, args.accounts, regions, binary, replay=True))
    say(f"{args.scale_accounts} accounts x {len(regions)} Regions, +50 ms ...")
    big = rates_world(args, 50.0, args.scale_accounts, regions, binary, replay=False)
    at50 = next(r for r in rows if r["latency_ms"] == 50.0)
    say("")
    say(f"groundwork check vs sequential boto3 on the throttling emulator (AWS's documented rates, "
        f"assets/rates.toml), {args.accounts} accounts x {len(regions)} Regions, concurrency {args.concurrency}")
    say(f"binary: {binary}")
    say(f"{'latency':>8} {'groundwork s':>12} {'boto3 s':>8} {'x boto3':>8} {'rate bound s':>12} "
        f"{'gw/bound':>8} {'calls':>6} {'throttled gw/boto3':>18} {'RSS MB':>7} {'in flight':>9}")
    for r in rows:
        ratio = r["boto3"] / r["groundwork"]
        floor = r["rate_bound"] if r["rate_bound"] > 0 else None
        say(f"{r['latency_ms']:6.0f}ms {r['groundwork']:12.2f} {r['boto3']:8.2f} {ratio:8.1f} {r['rate_bound']:12.2f} "
            f"{fmt(r['groundwork'] / floor if floor else None, '8.2f')} {r['calls']:6d} "
            f"{r['groundwork_throttled']:>8d}/{r['boto3_throttled']:<9d} {r['rss_mb']:7.1f} {r['peak_in_flight']:9d}")
    say(f"    rate bound: the slowest bucket, {rows[0]['rate_bound_bucket']} ({rows[0]['rate_bound_calls']} calls)")
    for r in rows:
        if r.get("boto3_errors"):
            say(f"    boto3's error answers at {r['latency_ms']:g} ms (the same state answers groundwork alike): "
                f"{dict(Counter(r['boto3_errors']))}")
    skipped = Counter(rows[0].get("replay_skipped") or [])
    if skipped:
        say(f"    not replayed by boto3 (parameters only earlier answers give): {sum(skipped.values())} calls, "
            + ", ".join(f"{k.split(':')[0]} x{n}" for k, n in skipped.items()))
    say(f"growth at +50 ms: {args.accounts} accounts {at50['groundwork']:.2f} s ({at50['calls']} calls), "
        f"{args.scale_accounts} accounts {big['groundwork']:.2f} s ({big['calls']} calls, rate bound "
        f"{big['rate_bound']:.2f} s, {big['groundwork_throttled']} throttled, {big['rss_mb']:.1f} MB): "
        f"x{big['groundwork'] / at50['groundwork']:.2f} time for x{args.scale_accounts / args.accounts:.2f} accounts")
    results = {"rows": rows, "scale": big, "binary": binary, "concurrency": args.concurrency}
    Path(args.output).write_text(json.dumps(results, indent=2, default=str))
    say(f"results written to {args.output}")
    return 0


# --------------------------------------------------------------------------- main
def scaling_row(world, concurrency, a):
    return {"accounts": world["accounts"], "regions": len(world["regions"]), "concurrency": concurrency,
            "calls": a["calls"], "wall": a["wall"], "walls": a["walls"], "peak_in_flight": a["peak_in_flight"],
            "rss_mb": a["rss_mb"], "run": a}


def benchmark(args, emu):
    regions = ALL_REGIONS[:args.regions]
    binary = str(Path(args.groundwork).resolve())
    scaling = []

    small = 10 if args.accounts > 10 else max(2, args.accounts // 2)
    if small < args.accounts:  # a smaller organization first, to show how the wall time grows
        say(f"seeding a smaller organization ({small} accounts) ...")
        world = seed(emu, small, regions)
        if args.throttle:
            emu.throttle(True)
        say(f"(a) groundwork check at {small} accounts ...")
        a_small, _ = run_groundwork(emu, binary, args.concurrency)
        scaling.append(scaling_row(world, args.concurrency, a_small))
        emu.reset()

    t0 = time.perf_counter()
    world = seed(emu, args.accounts, regions)
    say(f"seeded {args.accounts} accounts x {len(regions)} Regions in {time.perf_counter() - t0:.1f} s")
    if args.throttle:
        emu.throttle(True)
    say("(a) groundwork check ...")
    a, log = run_groundwork(emu, binary, args.concurrency)
    scaling.append(scaling_row(world, args.concurrency, a))
    for conc in sorted({1, min(64, 4 * args.concurrency)} - {args.concurrency}):
        say(f"(a) groundwork check at concurrency {conc} ...")
        scaling.append(scaling_row(world, conc, run_groundwork(emu, binary, conc)[0]))
    scaling.sort(key=lambda s: (s["accounts"], s["concurrency"]))

    plan, skipped = plan_from_log(log, world)
    say(f"(c) boto3 replay of {len(plan)} calls ...")
    c = run_boto3(emu, plan)
    say(f"(b) AWS CLI replay of {len(plan) if not args.cli_sample else min(args.cli_sample, len(plan))} calls "
        "(a process each; this is the slow one) ...")
    b = run_cli(emu, plan, args.cli_sample)
    if args.skip_prowler:
        d = {"skipped": "--skip-prowler"}
    else:
        say("(d) prowler ...")
        d = run_prowler(emu, world)
    say("wizard first frame ...")
    frame = first_frames(emu, binary)

    # Every groundwork run's repeats and AssumeRoles (timed runs at every size and concurrency).
    runs = [a] + [s["run"] for s in scaling if s["run"] is not a]
    all_repeats, all_assumes = Counter(), []
    for run in runs:
        for per_run in run["repeats_per_run"]:
            for k, n in per_run.items():
                all_repeats[k] = max(all_repeats[k], n)
        all_assumes += run["assume_role_per_run"]
    results = {
        "launcher_floor_mb": launcher_floor_mb(),
        "accounts": args.accounts, "regions": regions, "concurrency": args.concurrency, "binary": binary,
        "contenders": {"a": a, "b": b, "c": c, "d": d}, "first_frame": frame, "scaling": scaling,
        "repeats": [{"key": k, "count": n, "why": explain_repeat(k, n, world)} for k, n in repeats(log).items()],
        "repeats_any_run": dict(sorted(all_repeats.items())),
        "assume_role": assume_roles(log), "assume_role_every_run": all_assumes,
        "latency_ms": args.latency_ms,
        "replay_skipped": skipped, "groundwork_log": log,
        "replay_plan": [{k: v for k, v in p.items() if k != "cli"} for p in plan],
    }
    results["targets"] = targets(results, frame)
    for row in scaling:
        row.pop("run")
    Path(args.output).write_text(json.dumps(results, indent=2, default=str))
    report(results, args.output)
    return 0 if all(t["pass"] for t in results["targets"]) else 1


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "--replay-boto3":  # the (c) child process
        replay_boto3_child(sys.argv[2], sys.argv[3])
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument("--groundwork", required=True, help="the groundwork binary to measure")
    parser.add_argument("--accounts", type=int, default=50, help="member accounts (>= 2: Log Archive, Audit)")
    parser.add_argument("--regions", type=int, default=4, choices=range(1, len(ALL_REGIONS) + 1))
    parser.add_argument("--concurrency", type=int, default=8, help="groundwork's --concurrency (1-64)")
    parser.add_argument("--cli-sample", type=int, default=0,
                        help="run only K evenly spread AWS CLI calls and extrapolate (0 = all)")
    parser.add_argument("--skip-prowler", action="store_true", help="do not install or run prowler")
    parser.add_argument("--latency-ms", type=float, default=0.0,
                        help="make the emulator wait this long in every AWS call, like a network round trip "
                             "(GROUNDWORK_EMULATOR_LATENCY_MS); default 0: the emulator's own speed")
    parser.add_argument("--throttle", action="store_true",
                        help="throttle at AWS's documented rates (assets/rates.toml) once seeded")
    parser.add_argument("--rates-report", action="store_true",
                        help="the short run on the throttling emulator: groundwork vs boto3 at 0, 50 and 150 ms, "
                             "vs the rate bound, and --accounts vs --scale-accounts (see above)")
    parser.add_argument("--scale-accounts", type=int, default=150, help="the larger organization of --rates-report")
    parser.add_argument("--output", default=str(RESULTS), help="where to write the JSON results")
    args = parser.parse_args()
    if args.accounts < 2 or not 1 <= args.concurrency <= 64:
        parser.error("--accounts must be >= 2 and --concurrency 1..64")
    if not os.access(args.groundwork, os.X_OK):
        parser.error(f"{args.groundwork} is not an executable")
    if args.rates_report:  # boto3 alone: the emulator's venv has it
        python = ensure_venv(EMULATOR_VENV, EMULATOR_REQUIREMENTS)
        if Path(sys.prefix).resolve() != EMULATOR_VENV.resolve():
            os.execv(str(python), [str(python), str(Path(__file__).resolve()), *sys.argv[1:]])
        return rates_report(args)
    reexec_in_bench_venv()  # from here on: boto3 and the AWS CLI are importable / runnable

    emu = Emulator()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so the finally below stops the server
    try:
        emu.start(args.latency_ms)
        say(f"emulator at {emu.url}")
        return benchmark(args, emu)
    except KeyboardInterrupt:
        say("interrupted")
        return 130
    finally:
        emu.stop()


if __name__ == "__main__":
    sys.exit(main())
