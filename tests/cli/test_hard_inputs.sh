#!/usr/bin/env bash
# Hard inputs: values beyond what the models represent, binary garbage, typos. Each must
# end in one error line naming the file, the field and the allowed range, exit 2 — never a
# crash, a hang, a wrong number with exit 0, or raw bytes on the terminal.
set -u
: "${NPUSIM:?path of the npusim binary}" "${NPUSIM_TEST_DATA_DIR:?}"
source "$(dirname "$0")/check.sh"
w=$(mktemp -d); trap 'umount "$w/full" "$w/ro" 2>/dev/null; rm -rf "$w"' EXIT
cd "$w"

# Networks: one conv with out_channels far beyond any network (2^63-1 once printed negative
# parameter counts and divided by zero in map; 2^31 ran for minutes at 4 GB).
net() { echo "{\"network\": \"big\", \"layers\": [{\"name\": \"in\", \"type\": \"input\", \"shape\": $1},
  {\"name\": \"c\", \"type\": \"conv\", \"inputs\": [\"in\"], \"out_channels\": $2, \"kernel\": $3, \"pad\": 1}]}"; }
net '[1, 3, 32, 32]' 9223372036854775807 3 >huge.json
net '[1, 3, 32, 32]' 2147483648 3 >big31.json
net '[4096, 1024, 65536, 65536]' 16 3 >huge_input.json
net '[1, 1024, 4096, 4096]' 1048576 1 >huge_macs.json
check net-huge-channels-info 2 "huge.json: layer 'c' \(conv\): out_channels 9223372036854775807 is out of range: expected 1 to 1048576" -- "$NPUSIM" info --net huge.json
check net-huge-channels-map 2 "out_channels 9223372036854775807 is out of range" -- "$NPUSIM" map --net huge.json --arch tiny-8x8
check net-2pow31-channels 2 "out_channels 2147483648 is out of range" -- timeout 20 "$NPUSIM" map --net big31.json --arch tiny-8x8
check net-huge-input 2 "layer 'in' \(input\): batch \(N\) 4096|output elements .* exceeds the 1099511627776" -- "$NPUSIM" info --net huge_input.json
check net-huge-macs 2 "layer 'c' \(conv\): (output elements|MACs) [0-9]+ exceeds" -- "$NPUSIM" info --net huge_macs.json
printf '[net]\nwidth=32\nheight=32\nchannels=3\n\n[convolutional]\nfilters=99999999999999999999\nsize=3\nactivation=leaky\n' >huge.cfg
check cfg-huge-filters 2 "huge.cfg:7: \[convolutional\] field 'filters': expected an integer in \[1, 1048576\]" -- "$NPUSIM" info --net huge.cfg
printf 'Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\nc1, 2147483647, 224, 7, 7, 3, 64, 2,\n' >huge.csv
check csv-huge-height 2 "huge.csv:2: column 'IFMAP Height': expected an integer in \[1, 16777216\], got '2147483647'" -- "$NPUSIM" info --net huge.csv

# Twenty 268 MB tensors (5.4 GB) do not fit HBM2's 4 GiB each in its own space; two live at a
# time, so sharing dead tensors' space fits them: 2 x 268,435,456 + 20 x 4,096 weight bytes
# = 536,952,832. At batch 16 not even that fits.
chain="$NPUSIM_TEST_DATA_DIR/chain20_2048.json"
check dram-reuse-dead-space 0 '"dram_footprint_bytes": 536952832,' -- "$NPUSIM" map --net "$chain" --arch server-128x128 --json
check dram-reuse-dead-space-flag 0 '"dram_space_reused": true' -- "$NPUSIM" map --net "$chain" --arch server-128x128 --json
check dram-too-big-even-reused 2 "chain20_2048 at batch 16 needs [0-9]* bytes of DRAM .*sharing the space of dead tensors.* has 4294967296" -- "$NPUSIM" map --net "$chain" --arch server-128x128 --batch 16

# DRAM organizations: 2^53 rows or ranks once overflowed the capacity (SIGFPE).
python3 - "$NPUSIM_TEST_DATA_DIR/../../configs/dram/DDR4-2400.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
for field in ("rows", "ranks"):
    d = json.loads(json.dumps(s)); d["organization"][field] = 2**53
    json.dump(d, open(f"{field}.json", "w"))
PY
check dram-rows-2pow53 2 "rows.json: field 'organization.rows': expected a power of two in \[1, 1048576\], got 9007199254740992" -- "$NPUSIM" dram --spec rows.json --pattern seq-read --requests 10
check dram-ranks-2pow53 2 "ranks.json: field 'organization.ranks': expected a power of two in \[1, 16\]" -- "$NPUSIM" dram --spec ranks.json --pattern seq-read --requests 10

# Traces: a channel of 10^23 (SIGSEGV once), 2^31-1 (a 120 GB allocation), a cycle of 2^63 (a hang).
head='cycle,channel,rank,bank_group,bank,row,column,command'
printf '%s\n10,100000000000000000000000,0,0,0,0,0,ACT\n' "$head" >ch23.csv
printf '%s\n10,2147483647,0,0,0,0,0,ACT\n' "$head" >ch31.csv
printf '%s\n10,0,0,0,0,99999999,0,ACT\n' "$head" >row.csv
check cmd-trace-channel-1e23 2 "ch23.csv:2: field 'channel': expected a whole number up to 4294967295" -- "$NPUSIM" dram --check-commands ch23.csv
check cmd-trace-channel-2pow31 2 "ch31.csv:2: field 'channel': expected 0 to 0 \(DDR4-2400 has 1\), got 2147483647" -- "$NPUSIM" dram --check-commands ch31.csv
check cmd-trace-row 2 "row.csv:2: field 'row': expected 0 to 65535" -- "$NPUSIM" dram --check-commands row.csv
printf '0x40 READ 9223372036854775808\n' >cycle63.trace
check addr-trace-cycle-2pow63 2 "cycle63.trace:1: field 'cycle': expected a whole number of cycles up to 1099511627776" -- timeout 20 "$NPUSIM" dram --replay cycle63.trace

# Energy tables, schedules and sweep specs: values far beyond any real one are refused
# (an energy of 1e300 pJ once gave infinite totals; a tile of 2^62 channels was taken).
python3 - "$NPUSIM_TEST_DATA_DIR/../../configs/energy/45nm.json" <<'PY'
import json, sys
e = json.load(open(sys.argv[1])); e["mac_pj"]["int8"] = 1e300; json.dump(e, open("e_big.json", "w"))
PY
check energy-huge 2 "e_big.json: field 'mac_pj.int8': expected a positive number up to 1e\+09, got 1e\+300" -- "$NPUSIM" run --net resnet18 --arch tiny-8x8 --set energy.technology=e_big.json --out r
"$NPUSIM" map --net resnet18 --arch tiny-8x8 --json >sched.json
python3 -c 'import json; s = json.load(open("sched.json")); s["layers"][1]["tiling"]["tk"] = 2**62; s["batch"] = 2**40; json.dump(s, open("sched_big.json", "w"))'
check schedule-huge 2 "sched_big.json: field 'batch': expected an integer in \[1, 4096\]" -- "$NPUSIM" run --net resnet18 --arch tiny-8x8 --schedule sched_big.json --out r
echo '{"name": "x", "base": "tiny-8x8", "networks": ["resnet18"], "axes": [{"field": "pe.freq_mhz", "range": {"from": 1, "to": 1e9, "step": 1e-6}}]}' >sweep_huge.json
check sweep-huge-range 2 "sweep_huge.json: field 'axes\[0\].range': expected at most 10000 values" -- timeout 20 "$NPUSIM" sweep sweep_huge.json --list

# Clock frequencies whose period falls under SystemC's 1 ps resolution, or so slow a run
# takes minutes; the error names the --set flag, not the preset file.
check freq-1e7 2 "^npusim run: --set pe.freq_mhz=1e7: field 'pe.freq_mhz': expected a number in \[1, 10000\]" -- "$NPUSIM" run --net resnet18 --set pe.freq_mhz=1e7 --out r
check freq-1e18 2 "field 'pe.freq_mhz': expected a number in \[1, 10000\]" -- "$NPUSIM" run --net resnet18 --set pe.freq_mhz=1e18 --out r
check freq-0.001 2 "field 'pe.freq_mhz': expected a number in \[1, 10000\], got 0.001" -- "$NPUSIM" run --net resnet18 --set pe.freq_mhz=0.001 --out r
check set-names-flag 2 "^npusim config: --set pe.rows=0: field 'pe.rows': expected an integer in \[1, 4096\], got 0" -- "$NPUSIM" config --set pe.rows=0
check file-error-names-file 2 "bad_arch.json: field 'pe.rows'" -- bash -c "'$NPUSIM' config --set pe.rows=8 >bad_arch.json && sed -i 's/\"rows\": 8/\"rows\": -1/' bad_arch.json && '$NPUSIM' config --arch bad_arch.json --set pe.cols=8"

# Binary garbage where text is expected: one short line, no raw bytes (the npusim binary
# itself is the garbage). LC_ALL=C: grep counts bytes, not characters.
head -c 4000 "$NPUSIM" >garbage
for ext in json cfg csv onnx trace; do cp garbage "garbage.$ext"; done
for cmd in "info --net garbage.json" "info --net garbage.cfg" "info --net garbage.csv" "info --net garbage.onnx" \
           "dram --replay garbage.trace" "dram --check-commands garbage.trace" "run --arch garbage.json" \
           "sweep garbage.json" "run --net resnet18 --schedule garbage.json" "config --arch garbage.json" $'info --net \x01\xff'; do
  check "garbage: ${cmd% *}" 0 '^clean$' -- bash -c "out=\$('$NPUSIM' $cmd 2>&1); rc=\$?
    [[ \$rc -eq 2 ]] || { echo \"exit \$rc\"; exit 1; }
    [[ \$(wc -l <<<\"\$out\") -eq 1 && \${#out} -lt 600 ]] || { echo \"\${#out} characters: \$out\"; exit 1; }
    if LC_ALL=C grep -q \$'[^\\x20-\\x7e]' <<<\"\$out\"; then echo raw bytes; exit 1; fi
    echo clean"
done

# A full disk and a read-only folder (tmpfs mounts: root only, skipped otherwise): a clean
# error with the OS's reason and nothing truncated under a final name.
if [[ $(id -u) -eq 0 ]] && mkdir -p full ro && mount -t tmpfs -o size=192k tmpfs full 2>/dev/null; then
  mount -t tmpfs -o ro,size=64k tmpfs ro
  check full-trace 2 "full/t/(timeline.json|dram-cmd.csv): writing the trace failed: No space left on device" -- \
    "$NPUSIM" run --net resnet18 --arch tiny-8x8 --out r-full --quiet --trace dram-cmd,timeline --trace-dir full/t
  check full-trace-nothing-left 0 '^trace-info.json$' -- ls full/t
  rm -rf full/t
  check full-report 2 "full/out/report.json: writing failed: No space left on device" -- bash -c \
    "head -c 150000 /dev/zero >full/filler; '$NPUSIM' run --net resnet18 --arch tiny-8x8 --out full/out --quiet"
  check full-report-nothing-left 0 '^$' -- bash -c "ls full/out | grep -v '^\.' | tr -d '\n'"
  check full-map 2 "full/m/schedule.json: writing failed: No space left on device" -- "$NPUSIM" map --net resnet50 --arch tiny-8x8 --out full/m
  check ro-run 2 "npusim run: --out: .*ro/out.*Read-only file system" -- "$NPUSIM" run --net resnet18 --arch tiny-8x8 --out ro/out
  check ro-slurm 2 "npusim sweep: --emit slurm: .*Read-only file system" -- "$NPUSIM" sweep "$NPUSIM_TEST_DATA_DIR/../../configs/sweeps/small-test.json" --emit slurm --out ro/sw
  umount full ro
else
  echo "(full-disk and read-only checks skipped: they need root to mount a small tmpfs)"
fi

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
