"""`rolecall`: the command line. Every error a person can cause ends as one line, never a traceback."""

from __future__ import annotations

import argparse
import csv
import getpass
import json
import os
import sys
from pathlib import Path

from .errors import RolecallError
from .transcript import LANGUAGES

EXIT_ERROR = 1
EXIT_USAGE = 2


def _settings():
    from .config import load_settings
    return load_settings()


def _catalog(settings=None):
    from .catalog import Catalog
    settings = settings or _settings()
    return Catalog.default(settings.data_dir)


def _customer_llm(settings):
    from .llm.factory import make_llms
    return make_llms(settings).customer


def _print_json(obj) -> None:
    print(json.dumps(obj, ensure_ascii=False, indent=2))


# -- commands ---------------------------------------------------------------------------------
def cmd_validate(args) -> int:
    from .loader import main_validate
    return main_validate(args.paths)


def cmd_selfplay(args) -> int:
    from .selfplay import selfplay
    settings = _settings()
    persona = _catalog(settings).persona(args.persona)
    llm = None if args.no_llm else _customer_llm(settings)
    tr = selfplay(persona, llm, args.agent, seed=args.seed, turns=args.turns)
    if args.json:
        _print_json(tr.to_json_dict())
    else:
        for t in tr.turns:
            extra = f"   [{t.state.beat}, mood {t.state.mood:+.2f}, patience {t.state.patience}]" if t.state else ""
            print(f"{t.role:>8}: {t.text}{extra}")
        if tr.end:
            print(f"-- call ended: {tr.end.reason.value}")
    return 0


def cmd_preflight(args) -> int:
    from .selfplay import format_preflight, preflight
    settings = _settings()
    persona = _catalog(settings).persona(args.persona)
    llm = None if args.no_llm else _customer_llm(settings)
    reports = preflight(persona, llm, seed=args.seed, turns=args.turns)
    if args.json:
        _print_json([{"policy": r.policy, "mood": r.mood, "end_reason": r.end_reason, "hung_up_at": r.hung_up_at,
                      "revealed": r.revealed, "replaced": r.replaced, "customer_lines": r.customer_lines}
                     for r in reports])
    else:
        print(format_preflight(persona, reports))
    return 0


def cmd_chat(args) -> int:
    from .engine.call import CallSession
    from .scoring import score_transcript
    import time
    settings = _settings()
    catalog = _catalog(settings)
    persona = catalog.persona(args.persona)
    llm = None if args.no_llm else _customer_llm(settings)
    call = CallSession(persona, llm, seed=args.seed)
    print(f"Call with {persona.name} ({persona.temperament.value}, {persona.call_type.value}). "
          f"You work for {persona.company}.\nSituation: {persona.situation}\n"
          "Type your lines; /end hangs up and shows your scorecard.\n")
    t0 = time.time()
    first = call.start(0.0)
    if first:
        print(f"{persona.name}: {first.turn.text}")
    while not call.ended:
        try:
            line = input("you> ").strip()
        except EOFError:
            line = "/end"
        if not line:
            continue
        if line == "/end":
            call.end_by_agent(round(time.time() - t0, 2))
            break
        _, reply = call.agent_says(line, round(time.time() - t0, 2))
        print(f"{persona.name}: {reply.turn.text}")
        if reply.ended:
            print(f"-- {persona.name} ended the call ({reply.end.reason.value})")
    rubric = catalog.rubric(call.transcript.rubric or persona.rubric)
    card = score_transcript(call.transcript, rubric, None if args.judge == "none" else _judge(settings, args.judge),
                            company=persona.company, persona=persona)
    _print_scorecard(card.model_dump(mode="json"))
    return 0


def _print_scorecard(score: dict) -> None:
    verdict = "PASSED" if score["passed"] else "NOT PASSED"
    print(f"\nScore {score['total']:.1f}/100 — {verdict}" + (f" (fatal: {', '.join(score['fatal'])})" if score["fatal"] else ""))
    for c in score["criteria"]:
        sc = "n/a" if not c["applicable"] else ("not scored" if c["score"] is None else f"{c['score']}/{c['max']}")
        print(f"  {c['id']:<24} {sc:<10} {c.get('feedback') or ''}")
    if score.get("flags"):
        print(f"  flags: {', '.join(score['flags'])}")


def _judge(settings, kind: str):
    from .llm.factory import make_llms
    if kind == "openai":
        settings = settings.model_copy(update={"llm": "openai"})
    elif kind == "local":
        settings = settings.model_copy(update={"llm": "local"})
    return make_llms(settings).judge


def cmd_score(args) -> int:
    from pydantic import ValidationError
    from .scoring import score_transcript
    from .transcript import Transcript
    path = Path(args.file)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RolecallError(f"{path}: file not found") from None
    except json.JSONDecodeError as exc:
        raise RolecallError(f"{path}:{exc.lineno}: not valid JSON ({exc.msg})") from None
    try:
        transcript = Transcript.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(x) for x in err["loc"]) or "(top level)"
        raise RolecallError(f"{path}: {where}: {err['msg']}") from None
    settings = _settings()
    catalog = _catalog(settings)
    company = None
    if transcript.persona in catalog.personas:
        company = catalog.personas[transcript.persona].company
    rubric_id = args.rubric or transcript.rubric or (
        catalog.personas[transcript.persona].rubric if transcript.persona in catalog.personas else None)
    if not rubric_id:
        raise RolecallError(f"{path}: no rubric named in the transcript; pass --rubric ID")
    rubric = catalog.rubric(rubric_id)
    judge = None if args.judge == "none" else _judge(settings, args.judge)
    card = score_transcript(transcript, rubric, judge, company=company, samples=args.samples,
                            persona=catalog.personas.get(transcript.persona))
    score = card.model_dump(mode="json")
    if args.json:
        _print_json(score)
    else:
        _print_scorecard(score)
    return 0


def cmd_users_add(args) -> int:
    from .store import Store
    settings = _settings()
    if sys.stdin.isatty():
        pw = getpass.getpass(f"password for {args.name}: ")
        if pw != getpass.getpass("again: "):
            raise RolecallError("the two passwords differ; run the command again")
    else:
        pw = sys.stdin.readline().rstrip("\n")
    if len(pw) < 8:
        raise RolecallError("password too short; use at least 8 characters")
    settings.db.parent.mkdir(parents=True, exist_ok=True)
    Store(settings.db).add_user(args.name, args.role, pw, group=args.group, language=args.language)
    print(f"added {args.role} {args.name}")
    return 0


def cmd_users_language(args) -> int:
    from .store import Store
    language = None if args.language == "default" else args.language
    Store(_settings().db).set_language(args.name, language)
    print(f"{args.name} now sees the app in {language or 'the language it was started in'}")
    return 0


def cmd_setup(args) -> int:
    """First run: database, first accounts (passwords printed once), the embedded model."""
    from .auth import generate_password
    from .store import Store
    settings = _settings()
    settings.db.parent.mkdir(parents=True, exist_ok=True)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    store = Store(settings.db)
    print(f"database: {settings.db}")
    if store.user_count() == 0:
        creds_file = settings.data_dir / "first-accounts.txt"
        lines = []
        for name, role in (("trainee", "trainee"), ("trainer", "trainer"), ("supervisor", "supervisor")):
            pw = generate_password()
            store.add_user(name, role, pw)
            lines.append(f"  {role:<11} user: {name:<11} password: {pw}")
        print("First accounts (shown once; change them with `rolecall users passwd`):\n" + "\n".join(lines))
        # Kept only so a person who missed the terminal output can log in; readable by the owner alone.
        creds_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
        os.chmod(creds_file, 0o600)
        print(f"(also written to {creds_file}; delete it once you have noted them)")
    if settings.llm == "local" and not args.skip_model:
        from .llm.model_files import resolve_gguf
        path = resolve_gguf(settings, progress=True)
        print(f"embedded model: {path}")
    return 0


def cmd_users_passwd(args) -> int:
    from .store import Store
    settings = _settings()
    pw = sys.stdin.readline().rstrip("\n") if not sys.stdin.isatty() else getpass.getpass("new password: ")
    if len(pw) < 8:
        raise RolecallError("password too short; use at least 8 characters")
    Store(settings.db).set_password(args.name, pw)
    print(f"password changed for {args.name}")
    return 0


def cmd_export(args) -> int:
    from .store import Store
    settings = _settings()
    store = Store(settings.db)
    rows = []
    offset = 0
    while True:
        batch = store.list_sessions(limit=1000, offset=offset)
        if not batch:
            break
        for s in batch:
            score = store.get_score(s["id"]) if s.get("total") is not None else None
            row = dict(s)
            if score:
                reviews = store.criterion_reviews(s["id"])
                for c in score.get("criteria", []):
                    row[f"criterion:{c['id']}"] = c.get("score")
                    r = reviews.get(c["id"])
                    if r is not None:  # a supervisor's re-score, beside the automatic one
                        row[f"supervisor:{c['id']}"] = r["score"] if r["applicable"] else "na"
                        row[f"supervisor_note:{c['id']}"] = r["note"]
                row["fatal"] = ";".join(score.get("fatal", []))
                row["flags"] = ";".join(score.get("flags", []))
            rows.append(row)
        offset += len(batch)
    if args.format == "json":
        _print_json(rows)
    else:
        fields: list[str] = []
        for r in rows:
            fields += [k for k in r if k not in fields]
        w = csv.DictWriter(sys.stdout, fieldnames=fields or ["id"])
        w.writeheader()
        w.writerows(rows)
    return 0


def cmd_transcribe(args) -> int:
    from .voice import main_transcribe
    return main_transcribe(args.file, language=args.language)


def cmd_speak(args) -> int:
    from .voice import main_speak
    persona = _catalog().persona(args.persona)
    return main_speak(persona.voice, persona.language, args.text, args.output, phone=args.phone)


def cmd_voices(args) -> int:
    from .voice import main_voices
    personas = None
    if args.personas:
        personas = list(_catalog().personas.values())
    return main_voices(all_languages=args.all, personas=personas)


def cmd_serve(args) -> int:
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    from .service import Rolecall
    settings = _settings()
    service = Rolecall.from_settings(settings)
    # Load the embedded model before the first trainee waits for it (loading blocks the process).
    for llm in {id(x): x for x in (service.customer_llm, service.judge_llm) if x is not None}.values():
        if callable(getattr(llm, "client", None)):
            llm.client()
    print(f"Rolecall is serving on http://{args.host}:{args.port} (Ctrl+C stops it)", file=sys.stderr)
    from .paths import REPO_ROOT
    if str(REPO_ROOT) not in sys.path:
        sys.path.insert(0, str(REPO_ROOT))
    import app as app_module  # the thin Gradio layer at the repository root
    app_module.serve(service, host=args.host, port=args.port, lang=args.language)
    return 0


# -- parsing ----------------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="rolecall", description="Call-center training simulator.")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    s = sub.add_parser("serve", help="start the web app")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=7860)
    s.add_argument("--language", choices=list(LANGUAGES), default="en",
                   help="the pages' language for the sign-in page and users who chose none")
    s.set_defaults(func=cmd_serve)

    s = sub.add_parser("setup", help="create the database, first accounts and the embedded model")
    s.add_argument("--skip-model", action="store_true", help="do not assemble the embedded model now")
    s.set_defaults(func=cmd_setup)

    for name, func, hlp in (("chat", cmd_chat, "a text call in the terminal, scored at the end"),
                            ("selfplay", cmd_selfplay, "a scripted agent calls a persona"),
                            ("preflight", cmd_preflight, "every agent policy against a persona: the trainer's check")):
        s = sub.add_parser(name, help=hlp)
        s.add_argument("--persona", required=True, metavar="ID")
        s.add_argument("--seed", type=int, default=0 if name != "chat" else None)
        s.add_argument("--no-llm", action="store_true", help="authored lines only, no LLM")
        if name == "selfplay":
            s.add_argument("--agent", required=True, choices=["good", "rude", "silent", "manipulative"], metavar="POLICY")
        if name in ("selfplay", "preflight"):
            s.add_argument("--turns", type=int, default=12)
            s.add_argument("--json", action="store_true")
        if name == "chat":
            s.add_argument("--judge", choices=["auto", "local", "openai", "none"], default="auto")
        s.set_defaults(func=func)

    s = sub.add_parser("score", help="score a transcript JSON file")
    s.add_argument("file", metavar="FILE.json")
    s.add_argument("--rubric", metavar="ID")
    s.add_argument("--judge", choices=["auto", "local", "openai", "none"], default="auto")
    s.add_argument("--samples", type=int, default=1)
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_score)

    s = sub.add_parser("validate", help="validate persona and rubric files")
    s.add_argument("paths", nargs="*", metavar="PATH")
    s.set_defaults(func=cmd_validate)

    s = sub.add_parser("transcribe", help="speech to text of an audio file")
    s.add_argument("file", metavar="FILE")
    s.add_argument("--language", choices=["en", "ro"], default="en")
    s.set_defaults(func=cmd_transcribe)

    s = sub.add_parser("speak", help="say a line in a persona's voice")
    s.add_argument("--persona", required=True, metavar="ID")
    s.add_argument("text", metavar="TEXT")
    s.add_argument("-o", "--output", required=True, metavar="FILE.wav")
    s.add_argument("--phone", action="store_true", help="phone-line effect")
    s.set_defaults(func=cmd_speak)

    s = sub.add_parser("voices", help="the text-to-speech voices this machine has")
    s.add_argument("--all", action="store_true", help="every language, not only English and Romanian")
    s.add_argument("--personas", action="store_true", help="also say which voice each persona gets here")
    s.set_defaults(func=cmd_voices)

    s = sub.add_parser("users", help="accounts")
    us = s.add_subparsers(dest="users_command", required=True, metavar="ACTION")
    a = us.add_parser("add", help="add an account (password from stdin)")
    a.add_argument("name")
    a.add_argument("--role", required=True, choices=["trainee", "trainer", "supervisor"])
    a.add_argument("--group", default=None)
    a.add_argument("--language", choices=list(LANGUAGES), default=None,
                   help="language of the app's pages for this user (default: the app's)")
    a.set_defaults(func=cmd_users_add)
    a = us.add_parser("language", help="the language of the app's pages for one user")
    a.add_argument("name")
    a.add_argument("language", choices=[*LANGUAGES, "default"])
    a.set_defaults(func=cmd_users_language)
    a = us.add_parser("passwd", help="change a password (from stdin)")
    a.add_argument("name")
    a.set_defaults(func=cmd_users_passwd)

    s = sub.add_parser("export", help="sessions and scores for supervisors")
    s.add_argument("--format", choices=["csv", "json"], default="csv")
    s.set_defaults(func=cmd_export)
    return p


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except RolecallError as exc:
        print(f"rolecall: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("rolecall: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
