#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""gen-ctf.py - write a JSON Lines hmtrace trace (format v1) as a CTF trace.

Usage: gen-ctf.py IN.jsonl OUTDIR --shape lttng|perf|native [--repeat N]

The CTF is written by babeltrace2's own sink.ctf.fs, fed by a source
component defined here, so the output is real CTF 1.8 that `babeltrace2
OUTDIR` prints.  Three shapes:

  lttng   as an LTTng kernel session with kprobes and kretprobes would record
          it: one stream per CPU with `cpu_id` in the packet context, `pid`,
          `tid`, `procname` in the event common context, entry events
          (hm_kmap_high {page}, hm_kmap_local {pfn}, ...) separate from return
          events (hm_kmap_high_ret {vaddr, call_site}), LTTng tracepoint field
          names (sched_switch prev_tid/next_tid, irq_softirq_entry, ...) and an
          LTTng-like environment (hostname, kernel_release, ...); a timer event
          before each sched_switch stands for the rest of a kernel session.
  perf    as `perf data convert --to-ctf` would: probe:kmap_high and
          probe:kmap_high__return, perf_tid/perf_pid and common_flags/
          common_preempt_count in the payload, comm through perf_comm events,
          call sites as return addresses (so the input's sites must be numbers).
  native  one event class per trace-format op (kmap, kunmap_local, ...), all
          of an event's fields in its payload; absent 64-bit values are written
          as all ones (HM_NONE), an absent next_pid as INT32_MIN.

Input conventions (see data/README): the first line is a header object when it
has no "op" (its "meta" object, or the header itself, gives the meta); numbers
may be JSON integers or "0x..." strings; "irqs_off"/"preempt_off" booleans are
optional.  For the lttng and perf shapes, a map (kmap, kmap_local, ...) with a
vaddr but neither ret_ts, pfn nor page is written as a return event only (a
call that began before the capture), and one without ret_ts and vaddr as an
entry event only (its return was lost).
"""

import argparse
import json
import os
import shutil
import sys

import bt2

U64_NONE = (1 << 64) - 1
PID_NONE = -(1 << 31)

# ops whose entry and return are separate probes in the lttng/perf shapes:
# op -> probe name (the return is NAME_ret for LTTng, NAME__return for perf)
SPLIT = {
    'kmap': 'kmap_high',
    'kmap_local': 'kmap_local',
    'kmap_atomic': 'kmap_atomic',
    'kmap_high_get': 'kmap_high_get',
}
# single-event probes
SINGLE = {
    'kunmap': 'kunmap_high',
    'kunmap_local': 'kunmap_local',
    'kunmap_atomic': 'kunmap_atomic',
    'kmap_flush_unused': 'kmap_flush_unused',
    'flush_all_zero': 'flush_all_zero',
}
OPS = ['kmap', 'kunmap', 'kmap_atomic', 'kunmap_atomic', 'kmap_local', 'kunmap_local',
       'kmap_high_get', 'kmap_flush_unused', 'flush_all_zero', 'sched_switch', 'irq_enter',
       'irq_exit', 'task_exit', 'fork', 'migrate']
META_KEYS = ['arch', 'nr_cpus', 'last_pkmap', 'km_max_idx', 'debug_kmap_local',
             'highmem_start_pfn', 'pkmap_base', 'fixaddr_top', 'lost_events', 'source',
             'kernel', 'clock']
# trace_flags bits as the kernel puts them in common_flags
TRACE_FLAG_IRQS_OFF = 0x01
TRACE_FLAG_HARDIRQ = 0x08
TRACE_FLAG_SOFTIRQ = 0x10
TRACE_FLAG_NMI = 0x40
# hm_event.flags
HM_EVF_IRQS_OFF = 1
HM_EVF_PREEMPT_OFF = 2
HM_EVF_CTX_KNOWN = 4


class InputError(Exception):
    pass


def num(ev, key, lineno, default=None):
    v = ev.get(key)
    if v is None:
        return default
    if isinstance(v, bool):
        raise InputError(f'{lineno}: "{key}" must be a number')
    if isinstance(v, int):
        return v
    if isinstance(v, str):
        try:
            return int(v, 0)
        except ValueError:
            pass
    raise InputError(f'{lineno}: "{key}" must be a number or a "0x..." string')


def read_jsonl(path, repeat):
    meta = {}
    events = []
    with open(path, encoding='utf-8') as f:
        lines = f.read().splitlines()
    for i, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as e:
            raise InputError(f'{i}: {e}') from e
        if not isinstance(obj, dict):
            raise InputError(f'{i}: expected an object')
        if 'op' not in obj:
            if events:
                raise InputError(f'{i}: event without "op"')
            m = obj.get('meta', obj)
            meta = {k: m[k] for k in META_KEYS if k in m}
            continue
        if obj['op'] not in OPS:
            raise InputError(f'{i}: unknown op "{obj["op"]}"')
        obj['_line'] = i
        events.append(obj)
    if repeat > 1:
        # later copies shifted past the end of the previous one
        span = max(max(num(e, 'ret_ts', e['_line'], 0), num(e, 'ts', e['_line'])) for e in events)
        span = span - num(events[0], 'ts', events[0]['_line']) + 1000
        base = list(events)
        events = []
        for r in range(repeat):
            for e in base:
                c = dict(e)
                c['ts'] = num(e, 'ts', e['_line']) + r * span
                if 'ret_ts' in e:
                    c['ret_ts'] = num(e, 'ret_ts', e['_line']) + r * span
                events.append(c)
    return meta, events


def split_call(e, ln):
    """How a map goes out as probes: (write the entry?, time of the return or None).

    A call with a ret_ts is an entry and a return; one with a vaddr but
    neither ret_ts, pfn nor page began before the capture (a return only, at
    ts); one with neither ret_ts nor vaddr lost its return (an entry only).
    """
    ts = num(e, 'ts', ln)
    ret_ts = num(e, 'ret_ts', ln)
    if ret_ts is not None:
        return True, ret_ts
    if 'vaddr' not in e:
        return True, None
    if 'pfn' in e or 'page' in e:
        raise InputError(f'{ln}: {e["op"]} with "vaddr" and "pfn"/"page" needs "ret_ts"')
    return False, ts


def hm_flags(ev):
    if 'irqs_off' not in ev and 'preempt_off' not in ev:
        return None
    f = HM_EVF_CTX_KNOWN
    if ev.get('irqs_off'):
        f |= HM_EVF_IRQS_OFF
    if ev.get('preempt_off'):
        f |= HM_EVF_PREEMPT_OFF
    return f


class Writer:
    """Builds the trace class for one shape and turns input events into records.

    A record is (time, cpu, event class name, payload dict, context dict); the
    message iterator sorts them by time and emits them.
    """

    def __init__(self, shape, meta, events):
        self.shape = shape
        self.meta = meta
        self.events = events
        self.records = []
        self.fields = {}        # event class name -> ordered {field: kind}
        self.comm_of = {}
        self.perf_comm = {}     # perf: the comm each pid was last announced with
        for e in events:
            if 'pid' in e and 'comm' in e:
                self.comm_of.setdefault(num(e, 'pid', e['_line']), e['comm'])

    def field(self, cls, name, kind):
        d = self.fields.setdefault(cls, {})
        old = d.get(name)
        if old is not None and old != kind:
            raise InputError(f'event class {cls}: field {name} is both {old} and {kind}')
        d[name] = kind

    def add(self, ts, cpu, cls, payload, ctx=None):
        self.fields.setdefault(cls, {})
        for k, (kind, _) in payload.items():
            self.field(cls, k, kind)
        self.records.append((ts, len(self.records), cpu, cls,
                             {k: v for k, (_, v) in payload.items()}, ctx or {}))

    def build(self):
        for e in self.events:
            getattr(self, 'ev_' + self.shape)(e)
        self.records.sort(key=lambda r: (r[0], r[1]))

    # ------------------------------------------------------------- native ---
    def ev_native(self, e):
        ln = e['_line']
        p = {'cpu': ('u32', num(e, 'cpu', ln, 0)),
             'pid': ('s32', num(e, 'pid', ln, 0)),
             'comm': ('str', e.get('comm', '')),
             'ctx': ('str', e.get('ctx', 'task'))}
        for k in ('pfn', 'page', 'vaddr', 'ret_ts'):
            if k in e or e['op'] in SPLIT or e['op'] in SINGLE:
                p[k] = ('u64', num(e, k, ln, U64_NONE))
        if e['op'] in ('sched_switch', 'fork') or 'next_pid' in e:
            p['next_pid'] = ('s32', num(e, 'next_pid', ln, PID_NONE))
        if e['op'] == 'migrate' or 'dest_cpu' in e:
            p['dest_cpu'] = ('u32', num(e, 'dest_cpu', ln, 0))
        if 'site' in e or e['op'] in SPLIT:
            p['site'] = ('str', e.get('site', ''))
        f = hm_flags(e)
        if f is not None:
            p['flags'] = ('u32', f)
        self.add(num(e, 'ts', ln), p['cpu'][1], e['op'], p)

    # -------------------------------------------------------------- lttng ---
    def ev_lttng(self, e):
        ln = e['_line']
        op = e['op']
        ts = num(e, 'ts', ln)
        cpu = num(e, 'cpu', ln, 0)
        pid = num(e, 'pid', ln, 0)
        comm = e.get('comm', '')
        ctx = {'pid': pid, 'tid': pid, 'procname': comm}
        p = {}
        if op in SPLIT:
            base = 'hm_' + SPLIT[op]
            entry, ret_ts = split_call(e, ln)
            if entry:
                for k in ('pfn', 'page'):
                    if k in e:
                        p[k] = ('u64', num(e, k, ln))
                self.add(ts, cpu, base, p, ctx)
            if ret_ts is not None:
                r = {'vaddr': ('u64', num(e, 'vaddr', ln, 0)),
                     'call_site': ('str', e.get('site', ''))}
                self.add(ret_ts, cpu, base + '_ret', r, ctx)
            return
        if op in SINGLE:
            for k in ('pfn', 'page', 'vaddr'):
                if k in e:
                    p[k] = ('u64', num(e, k, ln))
            if 'site' in e:
                p['call_site'] = ('str', e['site'])
            self.add(ts, cpu, 'hm_' + SINGLE[op], p, ctx)
            return
        if op == 'sched_switch':
            # a kernel session records much else: the reader must skip it
            self.add(ts, cpu, 'timer_hrtimer_expire_entry',
                     {'hrtimer': ('u64', 0xf5a1c2d0), 'now': ('s64', ts),
                      'function': ('u64', 0xc10b5e30)}, ctx)
            nxt = num(e, 'next_pid', ln, 0)
            p = {'prev_comm': ('str', comm), 'prev_tid': ('s32', pid),
                 'prev_prio': ('s32', 120), 'prev_state': ('s64', 0),
                 'next_comm': ('str', self.comm_of.get(nxt, '')),
                 'next_tid': ('s32', nxt), 'next_prio': ('s32', 120)}
            self.add(ts, cpu, 'sched_switch', p, ctx)
        elif op == 'task_exit':
            self.add(ts, cpu, 'sched_process_exit',
                     {'comm': ('str', comm), 'tid': ('s32', pid), 'prio': ('s32', 120)}, ctx)
        elif op == 'fork':
            child = num(e, 'next_pid', ln, 0)
            self.add(ts, cpu, 'sched_process_fork',
                     {'parent_comm': ('str', comm), 'parent_tid': ('s32', pid),
                      'parent_pid': ('s32', pid),
                      'child_comm': ('str', self.comm_of.get(child, comm)),
                      'child_tid': ('s32', child), 'child_pid': ('s32', child)}, ctx)
        elif op == 'migrate':
            self.add(ts, cpu, 'sched_migrate_task',
                     {'comm': ('str', comm), 'tid': ('s32', pid), 'prio': ('s32', 120),
                      'orig_cpu': ('s32', cpu),
                      'dest_cpu': ('s32', num(e, 'dest_cpu', ln, 0))}, ctx)
        elif op in ('irq_enter', 'irq_exit'):
            kind = e.get('ctx', 'hardirq')
            enter = op == 'irq_enter'
            if kind == 'hardirq':
                if enter:
                    self.add(ts, cpu, 'irq_handler_entry',
                             {'irq': ('s32', 14), 'name': ('str', 'ata_piix')}, ctx)
                else:
                    self.add(ts, cpu, 'irq_handler_exit',
                             {'irq': ('s32', 14), 'ret': ('s32', 1)}, ctx)
            elif kind == 'softirq':
                self.add(ts, cpu, 'irq_softirq_' + ('entry' if enter else 'exit'),
                         {'vec': ('u32', 3)}, ctx)
            else:
                raise InputError(f'{ln}: {op} with ctx "{kind}" has no LTTng event')
        else:
            raise InputError(f'{ln}: op "{op}" has no LTTng event')

    # --------------------------------------------------------------- perf ---
    def common(self, e, ln):
        ctxname = e.get('ctx', 'task')
        flags = {'task': 0, 'softirq': TRACE_FLAG_SOFTIRQ, 'hardirq': TRACE_FLAG_HARDIRQ,
                 'nmi': TRACE_FLAG_NMI}.get(ctxname)
        if flags is None:
            raise InputError(f'{ln}: unknown ctx "{ctxname}"')
        if e.get('irqs_off'):
            flags |= TRACE_FLAG_IRQS_OFF
        # the kernel leaves the probe's own preempt_disable() out of the count
        depth = 1 if e.get('preempt_off') else 0
        pid = num(e, 'pid', ln, 0)
        return {'perf_ip': ('u64', 0xc1000000), 'perf_tid': ('s32', pid),
                'perf_pid': ('s32', pid), 'perf_period': ('u64', 1),
                'common_type': ('u16', 0), 'common_flags': ('u8', flags),
                'common_preempt_count': ('u8', depth), 'common_pid': ('s32', pid)}

    def ev_perf(self, e):
        ln = e['_line']
        op = e['op']
        ts = num(e, 'ts', ln)
        cpu = num(e, 'cpu', ln, 0)
        pid = num(e, 'pid', ln, 0)
        comm = e.get('comm', '')
        if self.perf_comm.get(pid) != comm:
            self.perf_comm[pid] = comm
            self.add(ts, cpu, 'perf_comm', {'pid': ('u32', pid), 'tid': ('u32', pid),
                                             'comm': ('str', comm)})
        if op in SPLIT:
            base = 'probe:' + SPLIT[op]
            entry, ret_ts = split_call(e, ln)
            if entry:
                p = self.common(e, ln)
                p['__probe_ip'] = ('u64', 0xc1263630)
                for k in ('pfn', 'page'):
                    if k in e:
                        p[k] = ('u64', num(e, k, ln))
                self.add(ts, cpu, base, p)
            if ret_ts is not None:
                p = self.common(e, ln)
                p['__probe_func'] = ('u64', 0xc1263630)
                site = e.get('site', '0')
                try:
                    p['__probe_ret_ip'] = ('u64', int(site, 0))
                except ValueError:
                    raise InputError(f'{ln}: the perf shape needs numeric sites, '
                                     f'not "{site}"') from None
                p['vaddr'] = ('u64', num(e, 'vaddr', ln, 0))
                self.add(ret_ts, cpu, base + '__return', p)
            return
        if op in SINGLE:
            p = self.common(e, ln)
            p['__probe_ip'] = ('u64', 0xc1262ba0)
            for k in ('pfn', 'page', 'vaddr'):
                if k in e:
                    p[k] = ('u64', num(e, k, ln))
            self.add(ts, cpu, 'probe:' + SINGLE[op], p)
            return
        p = self.common(e, ln)
        if op == 'sched_switch':
            nxt = num(e, 'next_pid', ln, 0)
            p.update({'prev_comm': ('str', comm), 'prev_pid': ('s32', pid),
                      'prev_prio': ('s32', 120), 'prev_state': ('s64', 0),
                      'next_comm': ('str', self.comm_of.get(nxt, '')),
                      'next_pid': ('s32', nxt), 'next_prio': ('s32', 120)})
            self.add(ts, cpu, 'sched:sched_switch', p)
        elif op == 'task_exit':
            p.update({'comm': ('str', comm), 'pid': ('s32', pid), 'prio': ('s32', 120)})
            self.add(ts, cpu, 'sched:sched_process_exit', p)
        elif op == 'fork':
            child = num(e, 'next_pid', ln, 0)
            p.update({'parent_comm': ('str', comm), 'parent_pid': ('s32', pid),
                      'child_comm': ('str', self.comm_of.get(child, comm)),
                      'child_pid': ('s32', child)})
            self.add(ts, cpu, 'sched:sched_process_fork', p)
        elif op == 'migrate':
            p.update({'comm': ('str', comm), 'pid': ('s32', pid), 'prio': ('s32', 120),
                      'orig_cpu': ('s32', cpu), 'dest_cpu': ('s32', num(e, 'dest_cpu', ln, 0))})
            self.add(ts, cpu, 'sched:sched_migrate_task', p)
        elif op in ('irq_enter', 'irq_exit'):
            kind = e.get('ctx', 'hardirq')
            enter = op == 'irq_enter'
            if kind == 'hardirq':
                if enter:
                    p.update({'irq': ('s32', 14), 'name': ('str', 'ata_piix')})
                    self.add(ts, cpu, 'irq:irq_handler_entry', p)
                else:
                    p.update({'irq': ('s32', 14), 'ret': ('s32', 1)})
                    self.add(ts, cpu, 'irq:irq_handler_exit', p)
            elif kind == 'softirq':
                p['vec'] = ('u32', 3)
                self.add(ts, cpu, 'irq:softirq_' + ('entry' if enter else 'exit'), p)
            else:
                raise InputError(f'{ln}: {op} with ctx "{kind}" has no perf event')
        else:
            raise InputError(f'{ln}: op "{op}" has no perf event')

    # ---------------------------------------------------------- trace IR ---
    def environment(self):
        m = self.meta
        env = {}
        if self.shape == 'lttng':
            env.update({'domain': 'kernel', 'tracer_name': 'lttng-modules',
                        'tracer_major': 2, 'tracer_minor': 13, 'sysname': 'Linux'})
            if 'source' in m:
                env['hostname'] = str(m['source'])
            if 'kernel' in m:
                env['kernel_release'] = str(m['kernel'])
            if 'arch' in m:
                env['hmtrace_arch'] = str(m['arch'])
        elif self.shape == 'perf':
            env.update({'sysname': 'Linux', 'domain': 'kernel', 'tracer_name': 'perf',
                        'machine': 'i686', 'version': '#1 SMP PREEMPT_DYNAMIC'})
            if 'source' in m:
                env['host'] = str(m['source'])
            if 'kernel' in m:
                env['release'] = str(m['kernel'])
            if 'arch' in m:
                env['hmtrace_arch'] = str(m['arch'])
        else:
            env['tracer_name'] = 'hmtrace'
            for k, v in m.items():
                if isinstance(v, bool):
                    v = int(v)
                env['hmtrace_' + k] = v if isinstance(v, (int, str)) else str(v)
        return env


def make_fc(tc, kind):
    if kind == 'str':
        return tc.create_string_field_class()
    size = int(kind[1:])
    hexa = bt2.IntegerDisplayBase.HEXADECIMAL if size == 64 else bt2.IntegerDisplayBase.DECIMAL
    if kind[0] == 'u':
        return tc.create_unsigned_integer_field_class(size, preferred_display_base=hexa)
    return tc.create_signed_integer_field_class(size)


def build_classes(comp, w):
    """Trace, clock, stream and event classes for @w's shape (in the component)."""
    tc = comp._create_trace_class()
    clock_name = 'monotonic' if w.shape == 'lttng' else (
        'perf_clock' if w.shape == 'perf' else str(w.meta.get('clock', 'monotonic')))
    cc = comp._create_clock_class(frequency=1000000000, name=clock_name,
                                  offset=bt2.ClockClassOffset(0, 0),
                                  origin_is_unix_epoch=False)
    pctx = tc.create_structure_field_class()
    pctx.append_member('cpu_id', tc.create_unsigned_integer_field_class(32))
    ectx = None
    if w.shape == 'lttng':
        ectx = tc.create_structure_field_class()
        ectx.append_member('pid', tc.create_signed_integer_field_class(32))
        ectx.append_member('tid', tc.create_signed_integer_field_class(32))
        ectx.append_member('procname', tc.create_string_field_class())
    sc = tc.create_stream_class(
        name='channel0' if w.shape == 'lttng' else 'stream',
        packet_context_field_class=pctx, event_common_context_field_class=ectx,
        default_clock_class=cc, supports_packets=True,
        packets_have_beginning_default_clock_snapshot=True,
        packets_have_end_default_clock_snapshot=True)
    ec = {}
    for name, fields in w.fields.items():
        pl = tc.create_structure_field_class()
        for fname, kind in fields.items():
            pl.append_member(fname, make_fc(tc, kind))
        ec[name] = sc.create_event_class(name=name, payload_field_class=pl)
    return {'writer': w, 'tc': tc, 'sc': sc, 'ec': ec}


class GenIter(bt2._UserMessageIterator):
    def __init__(self, config, port):
        d = port.user_data
        w = d['writer']
        self._w = w
        self._ec = d['ec']
        trace = d['tc'](environment=w.environment())
        cpus = {r[2] for r in w.records} | {0}
        if 'nr_cpus' in w.meta:
            cpus |= set(range(int(w.meta['nr_cpus'])))
        prefix = 'channel0_' if w.shape == 'lttng' else 'stream_'
        self._streams = {c: trace.create_stream(d['sc'], name=prefix + str(c))
                         for c in sorted(cpus)}
        self._gen = self._messages()

    def _new_packet(self, cpu, ts):
        pkt = self._streams[cpu].create_packet()
        pkt.context_field['cpu_id'] = cpu
        self._packets[cpu] = pkt
        self._counts[cpu] = 0
        return self._create_packet_beginning_message(pkt, ts)

    def _messages(self):
        recs = self._w.records
        t0 = recs[0][0] if recs else 0
        t1 = recs[-1][0] if recs else 0
        self._packets = {}
        self._counts = {}
        for cpu, s in self._streams.items():
            yield self._create_stream_beginning_message(s)
            yield self._new_packet(cpu, t0)
        for ts, _, cpu, cls, payload, ctx in recs:
            if self._counts[cpu] >= 4096:
                yield self._create_packet_end_message(self._packets[cpu], ts)
                yield self._new_packet(cpu, ts)
            self._counts[cpu] += 1
            msg = self._create_event_message(self._ec[cls], self._packets[cpu], ts)
            ev = msg.event
            for k, v in payload.items():
                ev.payload_field[k] = v
            for k, v in ctx.items():
                ev.common_context_field[k] = v
            yield msg
        for cpu, s in self._streams.items():
            yield self._create_packet_end_message(self._packets[cpu], t1)
            yield self._create_stream_end_message(s)

    def __next__(self):
        return next(self._gen)


class GenSource(bt2._UserSourceComponent, message_iterator_class=GenIter):
    def __init__(self, config, params, obj):
        self._add_output_port('out', build_classes(self, obj))


def main():
    ap = argparse.ArgumentParser(description='write a JSONL hmtrace trace as CTF')
    ap.add_argument('input')
    ap.add_argument('outdir')
    ap.add_argument('--shape', choices=['lttng', 'perf', 'native'], required=True)
    ap.add_argument('--repeat', type=int, default=1,
                    help='write the events N times, shifted in time (for benchmarks)')
    a = ap.parse_args()
    try:
        meta, events = read_jsonl(a.input, a.repeat)
        w = Writer(a.shape, meta, events)
        w.build()
    except (InputError, OSError) as e:
        print(f'gen-ctf.py: {a.input}:{e}', file=sys.stderr)
        return 3
    # sink.ctf.fs refuses an existing directory: write a fresh one beside
    # OUTDIR, and put it in place (over an earlier trace) only when complete
    if os.path.isdir(a.outdir) and os.listdir(a.outdir) and \
            'metadata' not in os.listdir(a.outdir):
        print(f'gen-ctf.py: {a.outdir}: exists and is not a CTF trace', file=sys.stderr)
        return 2
    tmp = a.outdir.rstrip('/') + '.gen-ctf-tmp'
    shutil.rmtree(tmp, ignore_errors=True)
    graph = bt2.Graph()
    src = graph.add_component(GenSource, 'src', obj=w)
    fs = bt2.find_plugin('ctf').sink_component_classes['fs']
    sink = graph.add_component(fs, 'sink', logging_level=bt2.LoggingLevel.WARNING,
                               params={'path': tmp, 'assume-single-trace': True,
                                       'quiet': True})
    graph.connect_ports(src.output_ports['out'], sink.input_ports['in'])
    graph.run()
    del graph, src, sink        # sink.ctf.fs writes the metadata when finalized
    shutil.rmtree(a.outdir, ignore_errors=True)
    os.rename(tmp, a.outdir)
    return 0


if __name__ == '__main__':
    sys.exit(main())
