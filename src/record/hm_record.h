/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hm_record.h - hm-record's user-space side: kernel symbols, the recorder
 * that turns ring-buffer records into trace format v1 events, and the BPF
 * session that produces the records.
 *
 * Ownership: hm_ksyms_load() returns a table only hm_ksyms_free() releases;
 * a recorder borrows the FILE and the symbol table it is given (both must
 * outlive it) and owns everything else until hm_recorder_free(); a session
 * owns its BPF objects, links and ring buffer until hm_session_free().
 */
#ifndef HM_RECORD_H
#define HM_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "hm_model.h"
#include "hm_reader.h"
#include "hm_record_abi.h"
#include "hm_util.h"

/* ---------------------------------------------------------------- ksyms.c --- */

struct hm_ksyms;

/**
 * hm_ksyms_load() - read the kernel's symbols
 * @kallsyms: "/proc/kallsyms", or a file in its format
 * @modules: "/proc/modules", a file in its format, or NULL
 * @err: filled on failure
 *
 * Addresses may be all zero (a user without CAP_SYSLOG): names are then
 * still known, addresses are not.
 *
 * Return: the table, or NULL with @err filled.
 */
struct hm_ksyms *hm_ksyms_load(const char *kallsyms, const char *modules, struct hm_error *err);

/**
 * hm_ksyms_reload() - read the files again (modules loaded since)
 * @k: the table
 *
 * Return: 0, or a negative errno (the table is then unchanged).
 */
int hm_ksyms_reload(struct hm_ksyms *k);

void hm_ksyms_free(struct hm_ksyms *k);

/* Whether a symbol of that name exists (of any type, in any module). */
bool hm_ksyms_has(const struct hm_ksyms *k, const char *name);

/* Address of a symbol of the core kernel, 0 if absent or hidden. */
uint64_t hm_ksyms_addr(const struct hm_ksyms *k, const char *name);

/* Whether the addresses are real (not all zero). */
bool hm_ksyms_have_addrs(const struct hm_ksyms *k);

/**
 * hm_ksyms_site() - an address as the kernel prints it with %pS
 * @k: the table
 * @addr: a text address
 * @buf: filled with "func+0xoff/0xsize" or "func+0xoff/0xsize [module]"
 * @len: size of @buf
 *
 * Return: 0, or -ENOENT when no symbol covers @addr (@buf is then "0x...").
 */
int hm_ksyms_site(const struct hm_ksyms *k, uint64_t addr, char *buf, size_t len);

/* --------------------------------------------------------------- record.c --- */

/**
 * struct hm_recorder_stats - what the recorder has seen and written
 * @records: ring-buffer records accepted
 * @malformed: records refused (wrong size, unknown kind)
 * @events: events written
 * @ops: events written per enum hm_op
 * @unpaired_returns: returns whose entry came before the recording (written
 *	as mid-flight maps, see hm-trace(5))
 * @unreturned: entries written without their return (the task exited, an
 *	interrupt's return was lost, or the recording ended first)
 * @late: records older than the reorder window when they arrived, written
 *	at once, out of order
 */
struct hm_recorder_stats {
	uint64_t records;
	uint64_t malformed;
	uint64_t events;
	uint64_t ops[HM_OP__COUNT];
	uint64_t unpaired_returns;
	uint64_t unreturned;
	uint64_t late;
};

struct hm_recorder;

/**
 * hm_recorder_new() - a recorder writing JSON Lines events to @out
 * @out: where events go (the header is the caller's: hm_record_header_write())
 * @ksyms: call sites are named with it; NULL writes them as hex addresses
 *
 * Return: the recorder, or NULL with errno set.
 */
struct hm_recorder *hm_recorder_new(FILE *out, struct hm_ksyms *ksyms);

/**
 * hm_recorder_add() - take one ring-buffer record
 * @r: the recorder
 * @data: the record
 * @size: its size in bytes
 *
 * Records may come out of timestamp order (from different CPUs); they are
 * held and sorted until hm_recorder_flush() passes them.
 *
 * Return: 0; -EINVAL for a malformed record (counted, dropped); -ENOMEM.
 */
int hm_recorder_add(struct hm_recorder *r, const void *data, size_t size);

/**
 * hm_recorder_flush() - write what can no longer be overtaken
 * @r: the recorder
 * @before: records with a timestamp below this are final (the caller knows
 *	no older record can still arrive), in CLOCK_MONOTONIC ns
 *
 * Records are paired (an entry and its kretprobe become one event with
 * ret_ts, vaddr and site) and written in the order of their entries; an
 * entry still waiting for its return holds back the events after it.
 *
 * Return: 0, or -EIO when writing failed.
 */
int hm_recorder_flush(struct hm_recorder *r, uint64_t before);

/**
 * hm_recorder_finish() - write everything held, entries without returns too
 * @r: the recorder
 *
 * Return: 0, or -EIO when writing failed.
 */
int hm_recorder_finish(struct hm_recorder *r);

const struct hm_recorder_stats *hm_recorder_stats(const struct hm_recorder *r);
void hm_recorder_free(struct hm_recorder *r);

/**
 * hm_record_header_write() - the JSON Lines header, padded to a fixed width
 * @fp: the output, positioned where the header goes
 * @meta: the meta to write
 * @width: pad the line (before its newline) with spaces to this many bytes;
 *	0 for no padding
 *
 * Writing the header first with a width that fits any lost_events and again
 * at the end lets the final loss count replace it in place.
 *
 * Return: the length written without the newline, or -EIO; -ENOSPC when the
 * header does not fit @width.
 */
long hm_record_header_write(FILE *fp, const struct hm_trace_meta *meta, size_t width);

/**
 * hm_record_header_width() - a width any lost_events count fits in
 * @meta: the meta (its lost_events is not used)
 */
size_t hm_record_header_width(const struct hm_trace_meta *meta);

/* --------------------------------------------------------------- system.c --- */

/**
 * struct hm_record_sys - where the system describes itself (files, so the
 * tests can give their own)
 * @release: the kernel release (uname -r)
 * @config: the kernel's configuration, plain or gzip'd (/boot/config-RELEASE,
 *	/proc/config.gz); NULL or absent: not known
 * @zoneinfo: /proc/zoneinfo (the HighMem zone's start_pfn)
 * @cpus: /sys/devices/system/cpu/possible ("0-3")
 */
struct hm_record_sys {
	const char *release;
	const char *config;
	const char *zoneinfo;
	const char *cpus;
};

/**
 * hm_record_meta_fill() - the trace's meta, from what the system says
 * @m: filled (unknown fields left unset)
 * @sys: where to look
 * @arch: the profile name the user gave, or NULL to derive it from the
 *	kernel's configuration
 * @err: filled on failure
 *
 * Return: 0; -EINVAL when @arch is not a known profile; -ENOENT (with @err
 * filled as a warning to print) when the profile cannot be told.
 */
int hm_record_meta_fill(struct hm_trace_meta *m, const struct hm_record_sys *sys,
			const char *arch, struct hm_error *err);

/* -------------------------------------------------------------- session.c --- */

/**
 * struct hm_session_opts - what hm-record was asked to record
 * @groups: HM_GROUP_* to record
 * @tgid: process filter, 0 for none
 * @cpu: CPU filter, HM_CPU_ANY for none
 * @comm: name filter, NULL for none
 * @btf: offline BTF for the CO-RE object, NULL for none
 * @buffer_kb: ring-buffer size in KiB (a power of two, at least a page)
 * @verbose: print libbpf's messages
 */
struct hm_session_opts {
	uint32_t groups;
	uint32_t tgid;
	uint32_t cpu;
	const char *comm;
	const char *btf;
	uint32_t buffer_kb;
	bool verbose;
};

struct hm_session;

/**
 * hm_session_start() - check the system, load the BPF program, attach it
 * @o: the options
 * @ksyms: the kernel's symbols (probes are checked against them first)
 * @rec: the recorder the ring buffer feeds
 * @err: filled on failure, with the reason the user can act on
 *
 * Return: the running session, or NULL with @err filled.
 */
struct hm_session *hm_session_start(const struct hm_session_opts *o, const struct hm_ksyms *ksyms,
				    struct hm_recorder *rec, struct hm_error *err);

/* How many programs are attached, and which object ("fixed i386", "CO-RE x86_64"). */
unsigned int hm_session_nr_links(const struct hm_session *s);
const char *hm_session_object(const struct hm_session *s);

/**
 * hm_session_poll() - feed the recorder with what the ring buffer holds
 * @s: the session
 * @timeout_ms: wait at most this long for records
 *
 * Return: records consumed, or a negative errno (-EINTR on a signal is not
 * an error for the caller to report).
 */
int hm_session_poll(struct hm_session *s, int timeout_ms);

/**
 * hm_session_stop() - detach every program, then drain the ring buffer
 * @s: the session
 *
 * Return: records consumed while draining, or a negative errno.
 */
int hm_session_stop(struct hm_session *s);

/**
 * hm_session_run_stats() - how often the programs ran, and for how long
 * @s: the session
 * @runs: filled with the runs of all programs
 * @ns: filled with their time in the kernel, ns
 *
 * Return: 0, or -ENOENT when the kernel does not count (it does with
 * sysctl kernel.bpf_stats_enabled=1).
 */
int hm_session_run_stats(const struct hm_session *s, uint64_t *runs, uint64_t *ns);

/* Records the ring buffer had no room for, summed over the CPUs. */
uint64_t hm_session_lost(const struct hm_session *s);

void hm_session_free(struct hm_session *s);

#endif /* HM_RECORD_H */
