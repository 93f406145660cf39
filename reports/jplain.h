/*
 * Plain JSON: the subset most of a journal is written in (ASCII names and
 * strings without escapes, a few levels of objects and arrays, no more
 * than 64 names in an object), looked at quickly. Whatever these accept,
 * anvil_jscan_check accepts too; what they refuse (NULL) may still be
 * valid, and is the full check's to judge (escapes, UTF-8, a 65th name,
 * an error and where it is). Shared by the quick look of the check
 * (reports/jscan.c) and the readers that check text as they build its tree
 * (reports/jtree.c, reports/jsource.c). Numbers are plain in any of
 * RFC 8259's forms; one with an exponent must be within a double's range.
 */
#ifndef ANVIL_JPLAIN_H
#define ANVIL_JPLAIN_H
#include <stddef.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#define ANVIL_JSON_MAX_DEPTH 64     /* as common/json.c: deeper nesting is refused */
#define ANVIL_JSON_MAX_NUMBER 64    /* a number's text, at most this long less one */
#define ANVIL_JPLAIN_KEYS 64        /* the names of an object compared one by one */

/* 1 for the bytes that end a plain run of a string: '"', '\\', controls
 * and the bytes of UTF-8 sequences; white space. */
extern const unsigned char anvil_jplain_special[256];
extern const unsigned char anvil_jplain_ws[256];

static inline const char *anvil_jplain_skip_ws(const char *p, const char *end)
{
	while (p < end && anvil_jplain_ws[(unsigned char)*p])
		p++;
	return p;
}

/* p at the opening quote: past the closing one, or NULL (not plain).
 * Sixteen bytes are looked at at once where the text has them (SSE2):
 * a control or a byte of UTF-8 is below ' ' as a signed byte. */
static inline const char *anvil_jplain_string(const char *p, const char *end)
{
	p++;
#if defined(__SSE2__)
	while (end - p >= 16) {
		__m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
		__m128i s = _mm_or_si128(_mm_cmplt_epi8(x, _mm_set1_epi8(' ')),
					 _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('"')),
						      _mm_cmpeq_epi8(x, _mm_set1_epi8('\\'))));
		unsigned stop = (unsigned)_mm_movemask_epi8(s);
		if (stop) {
			p += __builtin_ctz(stop);
			return *p == '"' ? p + 1 : NULL;
		}
		p += 16;
	}
#endif
	for (; p < end; p++)
		if (anvil_jplain_special[(unsigned char)*p])
			return *p == '"' ? p + 1 : NULL;
	return NULL;
}

/* After a member or an element: past the closing bracket (*closed) or past
 * the comma and the white space after it; NULL for anything else. */
static inline const char *anvil_jplain_after(const char *p, const char *end, char close, int *closed)
{
	p = anvil_jplain_skip_ws(p, end);
	*closed = p < end && *p == close;
	if (*closed)
		return p + 1;
	if (p >= end || *p != ',')
		return NULL;
	return anvil_jplain_skip_ws(p + 1, end);
}

/* The names of an object so far, for refusing one given twice: a name
 * whose bit (of its length and its first and last bytes) was not set
 * before is new without a comparison. Start with n and bits 0
 * (ANVIL_JPLAIN_KEYS_INIT). */
struct anvil_jplain_keys {
	const char *key[ANVIL_JPLAIN_KEYS];
	size_t len[ANVIL_JPLAIN_KEYS];
	int n;
	unsigned long long bits;
};

#define ANVIL_JPLAIN_KEYS_INIT(ks) ((ks)->n = 0, (ks)->bits = 0)

/* The name k (kl bytes, plain) added; 0, or -1 when it is there already
 * or the object has more names than are listed (not plain). */
static inline int anvil_jplain_key_add(struct anvil_jplain_keys *ks, const char *k, size_t kl)
{
	if (ks->n == ANVIL_JPLAIN_KEYS)
		return -1;
	unsigned h = kl ? (unsigned char)k[0] * 9u + (unsigned char)k[kl - 1] * 11u + (unsigned)kl * 25u : 0;
	unsigned long long bit = 1ULL << (h & 63);
	if (ks->bits & bit)
		for (int i = 0; i < ks->n; i++)
			if (ks->len[i] == kl && !memcmp(ks->key[i], k, kl))
				return -1;
	ks->bits |= bit;
	ks->key[ks->n] = k;
	ks->len[ks->n++] = kl;
	return 0;
}

/* true, false or null at p: past it, or NULL. */
static inline const char *anvil_jplain_literal(const char *p, const char *end)
{
	const char *w = *p == 't' ? "true" : *p == 'f' ? "false" : "null";
	size_t n = *p == 'f' ? 5 : 4;
	return (size_t)(end - p) >= n && !memcmp(p, w, n) ? p + n : NULL;
}

/* Past the digits from p on. The fractions of a journal's figures are
 * sixteen digits long: sixteen bytes are looked at at once where the text
 * has them (SSE2, which every x86-64 has), the digits among them counted
 * up to the first that is not one. */
static inline const char *anvil_jplain_digits(const char *p, const char *end)
{
#if defined(__SSE2__)
	while (end - p >= 16) {
		__m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
		/* c - '0' (as signed bytes, shifted by 128) below 10: a digit */
		__m128i d = _mm_cmplt_epi8(_mm_sub_epi8(x, _mm_set1_epi8((char)('0' + 128))), _mm_set1_epi8((char)(10 - 128)));
		unsigned not_digit = ~(unsigned)_mm_movemask_epi8(d) & 0xffff;
		if (not_digit)
			return p + __builtin_ctz(not_digit);
		p += 16;
	}
#endif
	while (p < end && (unsigned char)(*p - '0') < 10)
		p++;
	return p;
}

/* A number at p in RFC 8259's grammar and shorter than
 * ANVIL_JSON_MAX_NUMBER: past it, with *exp whether it has an exponent
 * (then it may be out of a double's range), or NULL. */
static inline const char *anvil_jplain_number(const char *p, const char *end, int *exp)
{
	const char *start = p;
	*exp = 0;
	if (*p == '-' && ++p >= end)
		return NULL;
	if (*p == '0') {
		p++;
	} else if ((unsigned char)(*p - '1') < 9) {
		p = anvil_jplain_digits(p + 1, end);
	} else {
		return NULL;
	}
	if (p < end && *p == '.') {
		if (++p >= end || (unsigned char)(*p - '0') >= 10)
			return NULL;
		p = anvil_jplain_digits(p + 1, end);
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		*exp = 1;
		if (++p < end && (*p == '+' || *p == '-'))
			p++;
		if (p >= end || (unsigned char)(*p - '0') >= 10)
			return NULL;
		p = anvil_jplain_digits(p + 1, end);
	}
	return p - start < ANVIL_JSON_MAX_NUMBER ? p : NULL;
}

/* A plain value of depth levels of nesting at p (no white space before
 * it): past it, or NULL. */
const char *anvil_jplain_value(const char *p, const char *end, int depth);

#endif
