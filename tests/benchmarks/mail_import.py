"""Time `crm mail import` of a Maildir (issue 23: 2,000 messages in under a minute, and a second
run that imports nothing).

    python tests/benchmarks/mail_import.py                     # 2,000 messages
    python tests/benchmarks/mail_import.py --messages 500      # a quick look

The data directory is examples/demo in a fresh git repository (autocommit on, as a user keeps
it); the Maildir is seeded: mail to and from the demo's parties and contacts as the clients
of tests/mails.py write it (multipart/alternative, GBK Outlook HTML, Big5, replies in
threads), a tenth from unknown senders. Prints the seconds and peak MB of both runs.
"""

from __future__ import annotations

import argparse
import json
import mailbox
import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]

from bench import crm_command, environment, run  # noqa: E402

from mails import ME, big5, outlook_gbk, reply, thunderbird  # noqa: E402

DEMO = HERE.parents[1] / "examples" / "demo"


def addresses(root: Path) -> list[str]:
    """Every email address the demo's parties and contacts list."""
    found = []
    for path in sorted((root / "customers").glob("*.yaml")) + sorted((root / "suppliers").glob("*.yaml")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if "emails:" in line:
                found += [a.strip() for a in line.split("[", 1)[1].rstrip("]").split(",")]
    return found


def build_maildir(folder: Path, count: int, known: list[str], rng: random.Random) -> None:
    box = mailbox.Maildir(folder, create=True)
    sent: list[str] = []
    for number in range(count):
        message_id = f"<m{number}@bench.example>"
        day = f"{rng.randint(1, 28):02d} Nov 2026 {rng.randint(8, 19):02d}:{rng.randint(0, 59):02d}:00 +0800"
        date = f"Mon, {day}"
        roll = rng.random()
        if roll < 0.1:
            message = thunderbird(message_id, f"Offer {number}", sender=f"sales{number % 37}@stranger{number % 11}.example",
                                  date=date)
        elif roll < 0.35 and sent:
            parent = rng.choice(sent)
            message = reply(message_id, parent, parent, sender=ME, to=rng.choice(known))
        elif roll < 0.45:
            message = outlook_gbk(message_id)
        elif roll < 0.5:
            message = big5(message_id, rng.choice(known))
        else:
            message = thunderbird(message_id, f"Order question {number}", sender=rng.choice(known), date=date)
        sent.append(message_id)
        box.add(message)
    box.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=23)
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="crm-mail-bench-"))
    try:
        data = work / "crm"
        shutil.copytree(DEMO, data)
        with open(data / "crm.yaml", "a", encoding="utf-8") as settings:
            settings.write(f"mail:\n  me: [{ME}]\n")
        for command in (["init", "-q"], ["add", "-A"], ["-c", "user.name=bench", "-c", "user.email=b@x", "commit",
                                                          "-qm", "demo"]):
            subprocess.run(["git", *command], cwd=data, check=True)
        build_maildir(work / "Maildir", args.messages, addresses(data), random.Random(args.seed))
        env = environment()
        crm = [*crm_command(), "--data-dir", str(data), "--format", "json", "mail", "import", str(work / "Maildir")]
        run([*crm_command(), "--data-dir", str(data), "today"], env)  # the index, built as a user's is
        for label in ("first run", "second run"):
            done = run(crm, env, keep_stdout=True)
            if done.returncode != 0:
                print(done.stderr, file=sys.stderr)
                return 1
            outcome = json.loads(done.stdout)
            print(f"{label}: {done.seconds:.1f} s, {done.peak_mb:.0f} MB peak; read {outcome['read']}, "
                  f"logged {len(outcome['logged'])}, already logged {outcome['already_logged']}, "
                  f"not matched {outcome['not_matched']}, refused {len(outcome['refused'])}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
