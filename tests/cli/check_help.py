#!/usr/bin/env python3
"""Every option a command accepts (the option lists its `Args` parser is given in
sim/src/cmd_*.cpp) appears in that command's --help, and every script answers --help
with its usage (exit 0) and, for argparse scripts, a help text for every option."""
import pathlib, re, subprocess, sys

npusim, root = sys.argv[1], pathlib.Path(sys.argv[2])
bad = []
for src in sorted((root / "sim" / "src").glob("cmd_*.cpp")):
    text = src.read_text()
    for m in re.finditer(r'Args args\("([a-z ]+)", argc, argv, \d+,\s*\{([^}]*)\},\s*\{([^}]*)\}', text):
        cmd = m.group(1).split()
        opts = re.findall(r'"([a-z0-9-]+)"', m.group(2) + m.group(3))
        out = subprocess.run([npusim, *cmd, "--help"], capture_output=True, text=True)
        if out.returncode != 0:
            bad.append(f"{' '.join(cmd)} --help: exit {out.returncode}")
        for o in opts:
            if o != "help" and not re.search(rf"--{o}\b", out.stdout):
                bad.append(f"npusim {' '.join(cmd)} --help does not describe --{o}")
scripts = [p for p in (root / "scripts").rglob("*") if p.is_file() and p.stat().st_mode & 0o111]
for s in sorted(scripts):
    out = subprocess.run([str(s), "--help"], capture_output=True, text=True, timeout=60)
    if out.returncode != 0 or len(out.stdout.strip()) < 40:
        bad.append(f"{s.relative_to(root)} --help: exit {out.returncode}, {len(out.stdout)} characters")
    text = s.read_text()
    for m in re.finditer(r'add_argument\(([^\n]*)\)', text):
        if "help=" not in m.group(1):
            bad.append(f"{s.relative_to(root)}: option {m.group(1).split(',')[0]} has no help text")
print("\n".join(bad) if bad else "help ok")
sys.exit(1 if bad else 0)
