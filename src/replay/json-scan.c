// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * json-scan.c - the fast path for trace format v1 event objects: a single
 * forward pass that reads the known members straight into a struct hm_event.
 *
 * The rule that keeps it honest: accept an object only when jansson would
 * parse it and event_parse() in fmt-json.c would accept it, giving the same
 * event.  So the scanner takes JSON in its plain forms only -- strings
 * without escapes (UTF-8 checked as jansson checks it), integers of up to 18
 * digits, true/false/null, and empty objects or arrays as the values of
 * members it does not know -- and re-checks every rule event_parse() applies
 * (required members, ranges, op-specific operands).  Everything else is
 * "slow": the caller hands the object to jansson, which either accepts it
 * (a rare form, e.g. an escaped string) or reports the error, with the same
 * message and position as before this file existed.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "json-scan.h"

typedef unsigned char uc;

/* Strings interned recently: a direct-mapped cache in front of hm_strtab_intern(). */
#define CACHE_BITS 10
/* Unknown members remembered for the duplicate check; more go the slow way. */
#define MAX_UNKNOWN 8

struct cache_ent {
	uint64_t a, b;		/* the first and the last 8 bytes (zero-padded) */
	const char *s;		/* the string table's copy */
	uint32_t len;		/* 0: unused */
	uint32_t id;
};

struct name_ent {
	uint64_t a, b;		/* as words() gives them */
	const char *s;
	uint8_t len;		/* 0: unused */
	uint8_t val;
};

/* Op and context names are at most this long; the names by length. */
#define NAME_MAX_LEN 23
#define NAME_PER_LEN 4

struct hm_jscan {
	struct hm_strtab *tab;
	struct name_ent ops[NAME_MAX_LEN + 1][NAME_PER_LEN];
	struct name_ent ctxs[NAME_MAX_LEN + 1][NAME_PER_LEN];
	struct cache_ent cache[1u << CACHE_BITS];
};

/* The members event_parse() reads. */
enum key {
	K_TS,
	K_CPU,
	K_PID,
	K_COMM,
	K_CTX,
	K_OP,
	K_PFN,
	K_PAGE,
	K_VADDR,
	K_SITE,
	K_RET_TS,
	K_NEXT_PID,
	K_DEST_CPU,
	K_IRQS_OFF,
	K_PREEMPT_OFF,
	K_UNKNOWN,
};

/* Bytes a string may hold as they are: printable ASCII but '"' and '\\'. */
static const uc plain[256] = {
	[0x20 ... 0x21] = 1,	/* '"' is 0x22 */
	[0x23 ... 0x5b] = 1,	/* '\\' is 0x5c */
	[0x5d ... 0x7f] = 1,
};

static bool is_ws(uc c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool is_digit(uc c)
{
	return (uc)(c - '0') < 10;
}

/* Skip white space; *@nl is set when it held a newline (JSON Lines forbid that). */
static const uc *skip_ws(const uc *p, const uc *e, bool *nl)
{
	for (; p < e && is_ws(*p); p++)
		*nl |= *p == '\n';
	return p;
}

/*
 * The first and the last 8 bytes of @s (zero-padded when shorter); @room:
 * bytes readable from @s on, at least @len.
 */
static inline __attribute__((always_inline)) void words(const uc *s, size_t len, size_t room,
							uint64_t *a, uint64_t *b)
{
	if (len >= 8) {
		memcpy(a, s, 8);
		memcpy(b, s + len - 8, 8);
		return;
	}
	*b = 0;
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	if (room >= 8) {
		memcpy(a, s, 8);
		*a &= (1ull << (8 * len)) - 1;
		return;
	}
#endif
	*a = 0;
	for (size_t i = 0; i < len; i++)
		*a |= (uint64_t)s[i] << (8 * i);
}

/*
 * White space is rare in event objects: one compare when there is none.  Uses
 * a `bool nl` of the caller's.
 */
#define SKIP_WS(p, e)						\
	do {							\
		if ((p) < (e) && *(p) <= ' ')			\
			(p) = skip_ws((p), (e), &nl);		\
	} while (0)

static int name_add(struct name_ent (*t)[NAME_PER_LEN], const char *name, unsigned int val)
{
	size_t len = strlen(name);

	if (len == 0 || len > NAME_MAX_LEN)
		return -1;
	for (unsigned int i = 0; i < NAME_PER_LEN; i++) {
		struct name_ent *n = &t[len][i];

		if (n->len)
			continue;
		words((const uc *)name, len, len, &n->a, &n->b);
		n->s = name;
		n->len = (uint8_t)len;
		n->val = (uint8_t)val;
		return 0;
	}
	return -1;
}

static int name_find(const struct name_ent (*t)[NAME_PER_LEN], const uc *s, size_t len,
		     size_t room)
{
	uint64_t a, b;

	if (len == 0 || len > NAME_MAX_LEN)
		return -1;
	words(s, len, room, &a, &b);
	for (unsigned int i = 0; i < NAME_PER_LEN && t[len][i].len; i++)
		if (t[len][i].a == a && t[len][i].b == b &&
		    (len <= 16 || memcmp(t[len][i].s + 8, s + 8, len - 16) == 0))
			return t[len][i].val;
	return -1;
}

struct hm_jscan *hm_jscan_new(struct hm_strtab *tab)
{
	struct hm_jscan *js = calloc(1, sizeof(*js));

	if (!js)
		return NULL;
	js->tab = tab;
	/* the names come from the model, so the two lists cannot drift apart */
	for (unsigned int i = 0; i < HM_OP__COUNT; i++)
		if (name_add(js->ops, hm_op_name(i), i) < 0)
			goto fail;
	for (unsigned int i = 0; i < HM_CTX__COUNT; i++)
		if (name_add(js->ctxs, hm_ctx_name(i), i) < 0)
			goto fail;
	return js;
fail:
	/* a name too long for the table: the fast path would be wrong, so none */
	free(js);
	errno = EINVAL;
	return NULL;
}

void hm_jscan_free(struct hm_jscan *js)
{
	free(js);
}

/*
 * The member name at @*pp (just after its opening '"'), matched with its
 * closing quote: on a match *pp moves past that quote.  An unknown name
 * leaves *pp alone.
 */
static enum key key_match(const uc **pp, const uc *e)
{
	const uc *p = *pp;
	size_t room = (size_t)(e - p);

#define KEY(name, k)								\
	do {									\
		if (room >= sizeof(name) && memcmp(p, name "\"", sizeof(name)) == 0) { \
			*pp = p + sizeof(name);					\
			return k;						\
		}								\
	} while (0)

	if (!room)
		return K_UNKNOWN;
	switch (*p) {
	case 't':
		KEY("ts", K_TS);
		break;
	case 'c':
		KEY("cpu", K_CPU);
		KEY("comm", K_COMM);
		KEY("ctx", K_CTX);
		break;
	case 'p':
		KEY("pid", K_PID);
		KEY("pfn", K_PFN);
		KEY("page", K_PAGE);
		KEY("preempt_off", K_PREEMPT_OFF);
		break;
	case 'o':
		KEY("op", K_OP);
		break;
	case 'v':
		KEY("vaddr", K_VADDR);
		break;
	case 's':
		KEY("site", K_SITE);
		break;
	case 'r':
		KEY("ret_ts", K_RET_TS);
		break;
	case 'n':
		KEY("next_pid", K_NEXT_PID);
		break;
	case 'd':
		KEY("dest_cpu", K_DEST_CPU);
		break;
	case 'i':
		KEY("irqs_off", K_IRQS_OFF);
		break;
	default:
		break;
	}
#undef KEY
	return K_UNKNOWN;
}

/* Results of the little scanners below. */
enum { OK = 0, SLOW = -1, MORE = -2 };

/*
 * Length of the UTF-8 sequence at @p if jansson accepts it (its
 * utf8_check_first()/utf8_check_full()), 0 if not, or -1 when it is cut
 * short at @e.
 */
static int utf8_seq(const uc *p, const uc *e)
{
	uc c = p[0];
	uint32_t v;
	int n;

	if (c < 0xc2 || c > 0xf4)
		return 0;
	n = c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
	if (e - p < n)
		return -1;
	v = c & (0x7fu >> n);
	for (int i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		v = v << 6 | (p[i] & 0x3fu);
	}
	if (n == 3 && (v < 0x800 || (v >= 0xd800 && v <= 0xdfff)))
		return 0;
	if (n == 4 && (v < 0x10000 || v > 0x10ffff))
		return 0;
	return n;
}

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define ONES 0x0101010101010101ull
#define HIGHS 0x8080808080808080ull

/*
 * The high bit of each byte of @x that a string cannot hold as it is: '"',
 * '\\', below 0x20 or above 0x7f.  A borrow may flag a byte above a flagged
 * one too, so only the lowest flag is exact -- the only one used.
 */
static uint64_t special_bytes(uint64_t x)
{
	uint64_t q = x ^ (ONES * '"'), b = x ^ (ONES * '\\');

	return (((q - ONES) & ~q) | ((b - ONES) & ~b) | ((x - ONES * 0x20) & ~x) | x) & HIGHS;
}
#endif

/* @*pp just after an opening '"': leaves it at the closing '"'. */
static int scan_str(const uc **pp, const uc *e)
{
	const uc *p = *pp;

	for (;;) {
		int n;

#ifdef __SSE2__
		/* sixteen bytes at a time: signed, below 0x20 catches 0x80.. too */
		while (e - p >= 16) {
			__m128i x = _mm_loadu_si128((const __m128i *)p);
			__m128i m = _mm_or_si128(_mm_or_si128(
				_mm_cmpeq_epi8(x, _mm_set1_epi8('"')),
				_mm_cmpeq_epi8(x, _mm_set1_epi8('\\'))),
				_mm_cmplt_epi8(x, _mm_set1_epi8(0x20)));
			int bits = _mm_movemask_epi8(m);

			if (bits) {
				p += __builtin_ctz((unsigned int)bits);
				goto found;
			}
			p += 16;
		}
#endif
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
		/* eight bytes at a time while there are eight */
		while (e - p >= 8) {
			uint64_t x, m;

			memcpy(&x, p, 8);
			m = special_bytes(x);
			if (m) {
				p += __builtin_ctzll(m) >> 3;
				goto found;
			}
			p += 8;
		}
#endif
		while (p < e && plain[*p])
			p++;
		if (p >= e)
			return MORE;
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ || defined(__SSE2__)
found:
#endif
		if (*p == '"') {
			*pp = p;
			return OK;
		}
		if (*p < 0x80)
			return SLOW;	/* an escape or a control character */
		n = utf8_seq(p, e);
		if (n < 0)
			return MORE;
		if (n == 0)
			return SLOW;
		p += n;
	}
}

/*
 * An unsigned integer in its plain form: 0, or up to 18 digits without a
 * leading zero (so it fits in an int64_t whatever the digits).  Anything
 * after it is the caller's to check: a '.', 'e' or a digit after a leading
 * zero is not a delimiter, so such numbers end up slow.  (Digit by digit:
 * the numbers of a trace are short, and eight-at-a-time tricks cost more
 * than they save on them.)
 */
static inline __attribute__((always_inline)) int scan_uint(const uc **pp, const uc *e,
							  uint64_t *out)
{
	const uc *p = *pp, *stop;
	uint64_t v;

	if (*p == '0') {
		*out = 0;
		*pp = p + 1;
		return OK;
	}
	v = (uint64_t)(*p++ - '0');
	stop = e - p > 17 ? p + 17 : e;
	while (p < stop && is_digit(*p))
		v = v * 10 + (uint64_t)(*p++ - '0');
	if (p == e)
		return MORE;
	if (is_digit(*p))
		return SLOW;	/* 19 digits or more: jansson may find it too big */
	*out = v;
	*pp = p;
	return OK;
}

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
/* How many of the 8 bytes of @x, from the first, are ASCII digits. */
static inline unsigned int digits_in(uint64_t x)
{
	uint64_t d = x ^ (ONES * '0');
	/* per byte, without carries: a high nibble set, or a low one of 10 or more */
	uint64_t bad = (d & (ONES * 0xf0)) | (((d & (ONES * 0x0f)) + ONES * 0x06) & (ONES * 0x10));

	bad = (((bad & (ONES * 0x7f)) + ONES * 0x7f) | bad) & HIGHS;
	return bad ? (unsigned int)__builtin_ctzll(bad) >> 3 : 8;
}

/* The number the 8 digits of @x make, the first the most significant ('0' bytes: zeros). */
static inline uint64_t digits_value(uint64_t x)
{
	x &= ONES * 0x0f;
	x = (x * 10 + (x >> 8)) & 0x00ff00ff00ff00ffull;
	x = (x * 100 + (x >> 16)) & 0x0000ffff0000ffffull;
	return (x * 10000 + (x >> 32)) & 0xffffffffull;
}

/*
 * scan_uint() for numbers that are often long (times, frame numbers): up to
 * 15 digits eight at a time, when 16 bytes can be read.
 */
static inline __attribute__((always_inline)) int scan_uint_long(const uc **pp, const uc *e,
							       uint64_t *out)
{
	static const uint64_t pow10[8] = { 1, 10, 100, 1000, 10000, 100000, 1000000, 10000000 };
	const uc *p = *pp;
	uint64_t x, y;
	unsigned int n, m;

	if (*p == '0' || e - p < 16)
		return scan_uint(pp, e, out);
	memcpy(&x, p, 8);
	n = digits_in(x);
	if (n < 8) {
		*out = digits_value(x << (8 * (8 - n)));
		*pp = p + n;
		return OK;
	}
	memcpy(&y, p + 8, 8);
	m = digits_in(y);
	if (m == 8)
		return scan_uint(pp, e, out);	/* 16 digits or more: the careful way */
	*out = digits_value(x) * pow10[m] + (m ? digits_value(y << (8 * (8 - m))) : 0);
	*pp = p + 8 + m;
	return OK;
}
#else
#define scan_uint_long scan_uint
#endif

/* Hex digit values plus one; 0 for the other bytes. */
static const uc hexv[256] = {
	['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5,
	['5'] = 6, ['6'] = 7, ['7'] = 8, ['8'] = 9, ['9'] = 10,
	['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
	['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
};

/*
 * A value that is an integer or a "0x..." string (pfn, page, vaddr), or
 * null (*present = false).
 */
static inline __attribute__((always_inline)) int scan_int_or_hex(const uc **pp, const uc *e,
								uint64_t *out, bool *present)
{
	const uc *p = *pp, *s;
	uint64_t v = 0;

	*present = true;
	if (is_digit(*p))
		return scan_uint_long(pp, e, out);
	if (*p != '"') {
		if (*p == 'n') {
			*present = false;
			if (e - p < 4)
				return MORE;
			if (memcmp(p, "null", 4) != 0)
				return SLOW;
			*pp = p + 4;
			return OK;
		}
		return SLOW;
	}
	/* as hm_parse_hex(): "0x" or "0X", then 1 to 16 hex digits */
	if (e - p < 5)
		return MORE;
	if (p[1] != '0' || (p[2] | 0x20) != 'x')
		return SLOW;
	s = p += 3;
	for (;;) {
		unsigned int d;

		if (p == e)
			return MORE;
		d = hexv[*p];
		if (!d)
			break;
		v = v << 4 | (d - 1);
		p++;
	}
	if (*p != '"' || p == s || p - s > 16)
		return SLOW;	/* not hex, or a string with more in it */
	*out = v;
	*pp = p + 1;
	return OK;
}

/* true, false or null (-1). */
static inline __attribute__((always_inline)) int scan_bool(const uc **pp, const uc *e, int *out)
{
	const uc *p = *pp;

	if (*p == 't') {
		if (e - p < 4)
			return MORE;
		if (memcmp(p, "true", 4) != 0)
			return SLOW;
		*out = 1;
		*pp = p + 4;
	} else if (*p == 'f') {
		if (e - p < 5)
			return MORE;
		if (memcmp(p, "fals", 4) != 0 || p[4] != 'e')
			return SLOW;
		*out = 0;
		*pp = p + 5;
	} else if (*p == 'n') {
		if (e - p < 4)
			return MORE;
		if (memcmp(p, "null", 4) != 0)
			return SLOW;
		*out = -1;
		*pp = p + 4;
	} else {
		return SLOW;
	}
	return OK;
}

/* Skip the value of a member nobody reads, if it has a plain form. */
static int skip_value(const uc **pp, const uc *e, bool *nlp)
{
	bool nl = false;
	const uc *p = *pp;
	uint64_t u;
	int b, rc;

	switch (*p) {
	case '"':
		p++;
		rc = scan_str(&p, e);
		if (rc)
			return rc;
		*pp = p + 1;
		return OK;
	case '-':
		if (++p == e)
			return MORE;
		if (!is_digit(*p))
			return SLOW;
		*pp = p;
		return scan_uint(pp, e, &u);
	case '{':
	case '[': {
		uc close = *p == '{' ? '}' : ']';

		p++;
		SKIP_WS(p, e);
		*nlp |= nl;
		if (p == e)
			return MORE;
		if (*p != close)
			return SLOW;	/* nesting: jansson checks it */
		*pp = p + 1;
		return OK;
	}
	default:
		if (is_digit(*p))
			return scan_uint(pp, e, &u);
		return scan_bool(pp, e, &b);
	}
}

/* An interned string, through the cache; UINT32_MAX when out of memory. @room as for words(). */
static uint32_t intern(struct hm_jscan *js, const uc *s, size_t len, size_t room)
{
	struct cache_ent *ent;
	uint64_t a, b, h;
	uint32_t id;

	if (len == 0)
		return 0;
	words(s, len, room, &a, &b);
	h = (a * 0x9e3779b97f4a7c15ull) ^ (b * 0xc2b2ae3d27d4eb4full) ^ len;
	ent = &js->cache[((h ^ h >> 29) * 0xbf58476d1ce4e5b9ull) >> (64 - CACHE_BITS)];
	/* up to 16 bytes the two words are the whole string */
	if (ent->len == len && ent->a == a && ent->b == b &&
	    (len <= 16 || memcmp(ent->s + 8, s + 8, len - 16) == 0))
		return ent->id;
	id = hm_strtab_intern(js->tab, (const char *)s, len);
	if (id == UINT32_MAX)
		return id;
	ent->s = hm_strtab_get(js->tab, id);
	ent->len = (uint32_t)len;
	ent->id = id;
	ent->a = a;
	ent->b = b;
	return id;
}

static bool op_needs_operand(unsigned int op)
{
	return op <= HM_OP_KMAP_HIGH_GET;
}

struct span {
	const uc *s;
	uint32_t len;
};

/* What an object's members said, as far as it has been read. */
struct members {
	uint64_t val[K_UNKNOWN];	/* the integers, by key */
	struct span str[K_UNKNOWN];	/* the strings, by key */
	uint32_t seen;			/* members met, null or not: for duplicates */
	uint32_t present;		/* members with a value (not null) */
	int irqs, preempt;		/* -1: absent or null */
};

/* A member known to be null (JSON null means absent). */
static int null_value(const uc **pp, const uc *e)
{
	if (e - *pp < 4)
		return MORE;
	if (memcmp(*pp, "null", 4) != 0)
		return SLOW;
	*pp += 4;
	return OK;
}

/*
 * The value of known member @key at *@pp (white space skipped), into @m.
 * With a constant @key (the ordered path) the switch folds away.
 */
static inline __attribute__((always_inline)) int member_value(struct members *m, enum key key,
							     const uc **pp, const uc *e)
{
	const uc *p = *pp;
	bool has;
	int rc;

	if (m->seen & (1u << key))
		return SLOW;	/* jansson refuses a member twice */
	m->seen |= 1u << key;
	switch (key) {
	case K_TS:
	case K_CPU:
	case K_PID:
	case K_RET_TS:
	case K_NEXT_PID:
	case K_DEST_CPU:
		if (is_digit(*p)) {
			if (key == K_TS || key == K_RET_TS)
				rc = scan_uint_long(pp, e, &m->val[key]);
			else
				rc = scan_uint(pp, e, &m->val[key]);
			m->present |= 1u << key;
			return rc;
		}
		return *p == 'n' ? null_value(pp, e) : SLOW;
	case K_PFN:
	case K_PAGE:
	case K_VADDR:
		rc = scan_int_or_hex(pp, e, &m->val[key], &has);
		if (rc == OK && has) {
			if (m->val[key] == HM_NONE)
				return SLOW;	/* reserved: the jansson path says so */
			m->present |= 1u << key;
		}
		return rc;
	case K_COMM:
	case K_SITE:
	case K_OP:
	case K_CTX:
		if (*p == '"') {
			m->str[key].s = ++p;
			rc = scan_str(&p, e);
			if (rc)
				return rc;
			m->str[key].len = (uint32_t)(p - m->str[key].s);
			m->present |= 1u << key;
			*pp = p + 1;
			return OK;
		}
		return *p == 'n' ? null_value(pp, e) : SLOW;
	case K_IRQS_OFF:
		return scan_bool(pp, e, &m->irqs);
	case K_PREEMPT_OFF:
		return scan_bool(pp, e, &m->preempt);
	default:
		return SLOW;
	}
}

/*
 * The members in the order hm-replay --convert writes them, each matched
 * with its name, quotes, colon and the comma before it in one compare: most
 * traces are written so, and then no member name is searched for.  At the
 * first member out of this order the general loop takes over.
 */
static inline __attribute__((always_inline)) bool at_lit(const uc **pp, const uc *e,
							  const char *lit, size_t len)
{
	const uc *p = *pp;

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	/* two loads and two compares; the literal's words fold to constants */
	if (len <= 16 && e - p >= 16) {
		uint64_t a, b, la = 0, lb = 0, ma, mb;

		memcpy(&a, p, 8);
		memcpy(&b, p + 8, 8);
		memcpy(&la, lit, len < 8 ? len : 8);
		if (len > 8)
			memcpy(&lb, lit + 8, len - 8);
		ma = len >= 8 ? ~0ull : (1ull << (8 * len)) - 1;
		mb = len >= 16 ? ~0ull : len <= 8 ? 0 : (1ull << (8 * (len - 8))) - 1;
		if ((a & ma) != la || (b & mb) != lb)
			return false;
		*pp = p + len;
		return true;
	}
#endif
	if ((size_t)(e - p) < len || memcmp(p, lit, len) != 0)
		return false;
	*pp = p + len;
	return true;
}

#define AT(lit) at_lit(&p, e, lit, sizeof(lit) - 1)
#define VALUE(key)						\
	do {							\
		SKIP_WS(p, e);					\
		if (p == e)					\
			return HM_JSCAN_MORE;			\
		rc = member_value(&m, key, &p, e);		\
		if (rc)						\
			goto out;				\
	} while (0)

int hm_jscan_event(struct hm_jscan *js, const char *text, size_t n, uint32_t cpu_limit,
		   bool line, struct hm_event *ev, size_t *end)
{
	const uc *p = (const uc *)text, *e = p + n;
	struct span unknown[MAX_UNKNOWN];
	struct members m;
	uint32_t nunknown = 0;
	bool nl = false;
	int rc, o;

	m.seen = 0;
	m.present = 0;
	m.irqs = -1;
	m.preempt = -1;
	SKIP_WS(p, e);
	if (p == e)
		return HM_JSCAN_MORE;
	if (*p != '{')
		return HM_JSCAN_SLOW;
	p++;

	/* the usual order first */
	if (!AT("\"ts\":"))
		goto member;
	VALUE(K_TS);
	if (!AT(",\"cpu\":"))
		goto next;
	VALUE(K_CPU);
	if (!AT(",\"pid\":"))
		goto next;
	VALUE(K_PID);
	if (AT(",\"comm\":"))
		VALUE(K_COMM);
	if (AT(",\"ctx\":"))
		VALUE(K_CTX);
	if (!AT(",\"op\":"))
		goto next;
	VALUE(K_OP);
	if (AT(",\"pfn\":"))
		VALUE(K_PFN);
	if (AT(",\"page\":"))
		VALUE(K_PAGE);
	if (AT(",\"vaddr\":"))
		VALUE(K_VADDR);
	if (AT(",\"ret_ts\":"))
		VALUE(K_RET_TS);
	if (AT(",\"site\":"))
		VALUE(K_SITE);
	if (AT(",\"next_pid\":"))
		VALUE(K_NEXT_PID);
	if (AT(",\"dest_cpu\":"))
		VALUE(K_DEST_CPU);
	if (AT(",\"irqs_off\":"))
		VALUE(K_IRQS_OFF);
	if (AT(",\"preempt_off\":"))
		VALUE(K_PREEMPT_OFF);
	if (p < e && *p == '}') {
		p++;
		goto done;
	}
	goto next;

	/* any order, any white space: one member at a time */
member:
	SKIP_WS(p, e);
	if (p == e)
		return HM_JSCAN_MORE;
	if (*p == '}' && m.seen == 0 && nunknown == 0)
		return HM_JSCAN_SLOW;	/* {}: no "op", an error */
	for (;;) {
		const uc *k;
		uint32_t klen = 0;
		enum key key;

		if (*p != '"')
			return HM_JSCAN_SLOW;
		k = ++p;
		key = key_match(&p, e);
		if (key == K_UNKNOWN) {
			rc = scan_str(&p, e);
			if (rc)
				goto out;
			klen = (uint32_t)(p - k);
			p++;
		}
		SKIP_WS(p, e);
		if (p == e)
			return HM_JSCAN_MORE;
		if (*p != ':')
			return HM_JSCAN_SLOW;
		p++;
		SKIP_WS(p, e);
		if (p == e)
			return HM_JSCAN_MORE;
		if (key == K_UNKNOWN) {
			/* jansson refuses a member twice, known or not */
			if (nunknown == MAX_UNKNOWN)
				return HM_JSCAN_SLOW;
			for (uint32_t i = 0; i < nunknown; i++)
				if (unknown[i].len == klen && memcmp(unknown[i].s, k, klen) == 0)
					return HM_JSCAN_SLOW;
			unknown[nunknown].s = k;
			unknown[nunknown].len = klen;
			nunknown++;
			rc = skip_value(&p, e, &nl);
		} else {
			rc = member_value(&m, key, &p, e);
		}
		if (rc)
			goto out;
next:
		SKIP_WS(p, e);
		if (p == e)
			return HM_JSCAN_MORE;
		if (*p == ',') {
			p++;
			SKIP_WS(p, e);
			if (p == e)
				return HM_JSCAN_MORE;
			continue;
		}
		if (*p != '}')
			return HM_JSCAN_SLOW;
		p++;
		break;
	}
done:
	if (line) {
		/* the object is the line: no newline in it, white space after it, then one */
		if (nl)
			return HM_JSCAN_SLOW;
		while (p < e && (*p == ' ' || *p == '\t' || *p == '\r'))
			p++;
		if (p < e && *p++ != '\n')
			return HM_JSCAN_SLOW;
	}
	*end = (size_t)(p - (const uc *)text);

	/* what event_parse() requires, in its order; any failure is its to report */
	if (!(m.present & 1u << K_OP))
		return HM_JSCAN_SLOW;
	o = name_find(js->ops, m.str[K_OP].s, m.str[K_OP].len, (size_t)(e - m.str[K_OP].s));
	if (o < 0)
		return HM_JSCAN_SLOW;
	if ((m.present & (1u << K_TS | 1u << K_CPU | 1u << K_PID)) !=
	    (1u << K_TS | 1u << K_CPU | 1u << K_PID))
		return HM_JSCAN_SLOW;
	if (m.val[K_CPU] >= cpu_limit || m.val[K_PID] > INT32_MAX)
		return HM_JSCAN_SLOW;
	ev->op = (uint16_t)o;
	ev->ts = m.val[K_TS];
	ev->cpu = (uint32_t)m.val[K_CPU];
	ev->pid = (int32_t)m.val[K_PID];
	ev->ctx = HM_CTX_TASK;
	if (m.present & 1u << K_CTX) {
		int c = name_find(js->ctxs, m.str[K_CTX].s, m.str[K_CTX].len,
				  (size_t)(e - m.str[K_CTX].s));

		if (c < 0)
			return HM_JSCAN_SLOW;
		ev->ctx = (uint8_t)c;
	}
	ev->pfn = m.present & 1u << K_PFN ? m.val[K_PFN] : HM_NONE;
	ev->page = m.present & 1u << K_PAGE ? m.val[K_PAGE] : HM_NONE;
	ev->vaddr = m.present & 1u << K_VADDR ? m.val[K_VADDR] : HM_NONE;
	ev->ret_ts = HM_NONE;
	if (m.present & 1u << K_RET_TS) {
		if (m.val[K_RET_TS] < ev->ts)
			return HM_JSCAN_SLOW;
		ev->ret_ts = m.val[K_RET_TS];
	}
	ev->next_pid = HM_PID_NONE;
	if (m.present & 1u << K_NEXT_PID) {
		if (m.val[K_NEXT_PID] > INT32_MAX)
			return HM_JSCAN_SLOW;
		ev->next_pid = (int32_t)m.val[K_NEXT_PID];
	}
	ev->dest_cpu = 0;
	if (o == HM_OP_MIGRATE) {
		if (!(m.present & 1u << K_DEST_CPU) || m.val[K_DEST_CPU] >= cpu_limit)
			return HM_JSCAN_SLOW;
		ev->dest_cpu = (uint32_t)m.val[K_DEST_CPU];
	}
	ev->flags = 0;
	if (m.irqs >= 0 || m.preempt >= 0)
		ev->flags = (uint8_t)(HM_EVF_CTX_KNOWN | (m.irqs == 1 ? HM_EVF_IRQS_OFF : 0) |
				      (m.preempt == 1 ? HM_EVF_PREEMPT_OFF : 0));
	if (op_needs_operand((unsigned int)o) && ev->pfn == HM_NONE && ev->page == HM_NONE &&
	    ev->vaddr == HM_NONE)
		return HM_JSCAN_SLOW;
	if ((o == HM_OP_SCHED_SWITCH || o == HM_OP_FORK) && ev->next_pid == HM_PID_NONE)
		return HM_JSCAN_SLOW;
	if ((o == HM_OP_IRQ_ENTER || o == HM_OP_IRQ_EXIT) && ev->ctx == HM_CTX_TASK)
		return HM_JSCAN_SLOW;

	/* accepted: only now do strings go into the table, comm first */
	ev->comm = 0;
	ev->site = 0;
	if (m.present & 1u << K_COMM) {
		ev->comm = intern(js, m.str[K_COMM].s, m.str[K_COMM].len,
				  (size_t)(e - m.str[K_COMM].s));
		if (ev->comm == UINT32_MAX)
			return HM_JSCAN_SLOW;
	}
	if (m.present & 1u << K_SITE) {
		ev->site = intern(js, m.str[K_SITE].s, m.str[K_SITE].len,
				  (size_t)(e - m.str[K_SITE].s));
		if (ev->site == UINT32_MAX)
			return HM_JSCAN_SLOW;
	}
	return HM_JSCAN_EVENT;
out:
	return rc == MORE ? HM_JSCAN_MORE : HM_JSCAN_SLOW;
}
