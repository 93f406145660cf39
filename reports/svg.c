/* Inline SVG charts: see svg.h for what callers get.
 *
 * Layout is computed in pixels of the viewBox; text widths are estimated from
 * code point counts (no font metrics are available, or wanted: the output
 * must not depend on the machine that renders it). No element carries an id,
 * so any number of charts can share one page. */
#include "reports/svg.h"
#include "common/fmt.h"
#include "common/strbuf.h"
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "common/sort.h"

#define SVG_FONT "system-ui, sans-serif"
#define SVG_W 720.0             /* default chart width */
#define SVG_MAX_TICKS 32
#define SVG_NSERIES 8
#define SVG_NLEVELS 10          /* heatmap colour steps */
#define SVG_HEAT_GRID 128       /* most heatmap cells drawn per side */
#define SVG_MARKERS_MAX 48      /* points per line up to which points get markers */
#define SVG_LABEL_CP 16         /* code points kept of a bar/row label */
#define SVG_ELLIPSIS "\xe2\x80\xa6"
#define SVG_ARROW "\xe2\x86\x92"

#define SVG_INK "#333333"
#define SVG_MUTED "#666666"
#define SVG_GOOD "#4e79a7"
#define SVG_BAD "#d62728"
#define SVG_REF "#555555"
#define SVG_WARN "#e08a00"

/* Okabe-Ito, distinguishable with the common colour-vision deficiencies. */
static const char *const svg_series_color[SVG_NSERIES] = {
	"#0072b2", "#e69f00", "#009e73", "#cc79a7",
	"#56b4e9", "#d55e00", "#555555", "#b8a100",
};
static const char *const svg_series_dash[] = { NULL, "7 4", "2 3" };
/* viridis: dark = low, so a slow link stands out in a bright matrix. */
static const char *const svg_heat_color[SVG_NLEVELS] = {
	"#440154", "#482878", "#3e4989", "#31688e", "#26828e",
	"#1f9e89", "#35b779", "#6ece58", "#b5de2b", "#fde725",
};

/* Out of memory ends the program, as strbuf does: a report that is half
 * written is worse than none. */
static void *svg_xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (!p)
		anvil_out_of_memory();
	return p;
}

/* ---- text and numbers ---------------------------------------------------- */

/* Length of the UTF-8 sequence at s if it is one XML 1.0 can hold, else 0. */
static size_t svg_utf8_len(const unsigned char *s)
{
	unsigned cp, c = s[0];
	size_t n;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, cp = c & 0x07;
	else
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80) /* also stops at the NUL */
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	if ((cp >= 0xd800 && cp <= 0xdfff) || cp == 0xfffe || cp == 0xffff)
		return 0;
	return n;
}

/* Code points in s, counting each invalid byte as one. */
static size_t svg_cplen(const char *s)
{
	size_t k = 0;
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; k++) {
		size_t n = svg_utf8_len(p);
		p += n ? n : 1;
	}
	return k;
}

/* Appends s as inert text, cut to max code points with an ellipsis (0 = no
 * limit). Control bytes become spaces and invalid UTF-8 becomes U+FFFD first,
 * so a hostile hostname can neither inject markup (strbuf_add_html) nor make
 * the document ill-formed. */
static void svg_text(struct strbuf *out, const char *s, size_t max)
{
	struct strbuf clean = STRBUF_INIT;
	size_t keep = max && svg_cplen(s) > max ? max - 1 : (size_t)-1;
	const unsigned char *p = (const unsigned char *)(s ? s : "");

	for (size_t k = 0; *p && k < keep; k++) {
		size_t n = svg_utf8_len(p);
		if (!n)
			strbuf_adds(&clean, "\xef\xbf\xbd");
		else if (*p < 0x20)
			strbuf_addch(&clean, ' ');
		else
			strbuf_add(&clean, p, n);
		p += n ? n : 1;
	}
	if (*p)
		strbuf_adds(&clean, SVG_ELLIPSIS);
	strbuf_add_html(out, strbuf_str(&clean));
	strbuf_release(&clean);
}

/* Estimated width in px of s cut to max code points, at font size fs. */
static double svg_text_w(const char *s, size_t max, double fs)
{
	size_t k = svg_cplen(s);
	if (max && k > max)
		k = max;
	return (double)k * fs * 0.58;
}

/* Hostnames of one domain ("cn001.cluster.local") share a suffix that only
 * eats label room. Returns the length of the longest ".name…" suffix that
 * every one of n >= 2 names has with something before it; else 0. */
static size_t svg_domain_suffix(const char *const *names, size_t n)
{
	if (n < 2 || !names[0])
		return 0;
	for (const char *d = strchr(names[0], '.'); d; d = strchr(d + 1, '.')) {
		size_t len = strlen(d), i;
		if (!isalpha((unsigned char)d[1]))
			continue; /* "10.0.1.1" is an address, not a domain */
		for (i = 0; i < n; i++) {
			size_t l = names[i] ? strlen(names[i]) : 0;
			if (l <= len || strcmp(names[i] + l - len, d))
				break;
		}
		if (i == n)
			return len;
	}
	return 0;
}

/* s without its last `strip` bytes (a shared domain), as svg_text does. */
static void svg_label(struct strbuf *out, const char *s, size_t strip, size_t max)
{
	struct strbuf cut = STRBUF_INIT;

	s = s ? s : "?";
	strbuf_add(&cut, s, strlen(s) > strip ? strlen(s) - strip : strlen(s));
	svg_text(out, strbuf_str(&cut), max);
	strbuf_release(&cut);
}

static double svg_label_w(const char *s, size_t strip, size_t max, double fs)
{
	struct strbuf cut = STRBUF_INIT;
	double w;

	s = s ? s : "?";
	strbuf_add(&cut, s, strlen(s) > strip ? strlen(s) - strip : strlen(s));
	w = svg_text_w(strbuf_str(&cut), max, fs);
	strbuf_release(&cut);
	return w;
}

/* A formatted number; returned by value so several fit in one printf. */
struct svg_n {
	char s[32];
};

/* printf follows LC_NUMERIC, SVG wants '.', whatever locale the host set. */
static void svg_fix_point(char *s)
{
	for (; *s; s++)
		if (*s == ',')
			*s = '.';
}

/* A pixel coordinate: one decimal, no trailing ".0"; never "nan". Written
 * by hand (the same text as "%.1f" of the rounded value): the pages of a
 * thousand nodes have hundreds of thousands, and every printf of this
 * process takes glibc's slow path (libquadmath, which OpenBLAS's Fortran
 * runtime loads, registers a printf modifier). */
static struct svg_n svg_px(double v)
{
	struct svg_n r;
	size_t len;

	v = isfinite(v) ? round(v * 10) / 10 : 0;
	if (v == 0)
		v = 0; /* no "-0" */
	if (fabs(v) < 1e12) {
		long long k = llround(v * 10);  /* the tenths, exactly (v is k / 10 rounded) */
		unsigned long long a = (unsigned long long)(k < 0 ? -k : k);
		char tmp[24];
		size_t n = 0, o = 0;
		if (a % 10)
			tmp[n++] = (char)('0' + a % 10), tmp[n++] = '.';
		a /= 10;
		do
			tmp[n++] = (char)('0' + a % 10);
		while (a /= 10);
		if (k < 0)
			r.s[o++] = '-';
		while (n)
			r.s[o++] = tmp[--n];
		r.s[o] = '\0';
		return r;
	}
	anvil_fmt(r.s, sizeof(r.s), "%.1f", v);
	svg_fix_point(r.s);
	len = strlen(r.s);
	if (len > 2 && !strcmp(r.s + len - 2, ".0"))
		r.s[len - 2] = '\0';
	return r;
}

/* A measured value for people: 4 significant digits. */
static struct svg_n svg_val(double v)
{
	struct svg_n r;

	if (!isfinite(v))
		return (struct svg_n){ "n/a" };
	if (v == 0)
		v = 0;
	anvil_fmt(r.s, sizeof(r.s), "%.4g", v);
	svg_fix_point(r.s);
	return r;
}

/* A value with a fixed number of decimals, so a column of them aligns. */
static struct svg_n svg_fixed(double v, int dec)
{
	struct svg_n r;

	if (fabs(v) >= 1e5)
		return svg_val(v);
	if (fabs(v) < 0.5 * pow(10, -dec))
		v = 0; /* no "-0.0" */
	anvil_fmt(r.s, sizeof(r.s), "%.*f", dec, v);
	svg_fix_point(r.s);
	return r;
}

/* A tick label: 4 digits, with k/M/G/T from 10 000 up ("12k", "1.5M"). */
static struct svg_n svg_si(double v)
{
	static const char sfx[] = "kMGTPE";
	struct svg_n r;
	int k = -1;

	if (!isfinite(v))
		return (struct svg_n){ "" };
	if (fabs(v) >= 1e4)
		while (fabs(v) >= 1e3 && k < 5)
			v /= 1e3, k++;
	if (fabs(v) < 1e-9)
		v = 0; /* 0.1 + 0.2 - 0.3 style dust on a tick at zero */
	anvil_fmt(r.s, sizeof(r.s), k < 0 ? "%.4g" : "%.4g%c", v, k < 0 ? 0 : sfx[k]);
	svg_fix_point(r.s);
	return r;
}

/* A size in bytes with binary prefixes: 1 B, 512 B, 1 KiB, 1.5 MiB. */
static struct svg_n svg_bytes(double v)
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	struct svg_n r;
	int u = 0;

	if (!isfinite(v))
		return (struct svg_n){ "" };
	while (fabs(v) >= 1024 && u < 6)
		v /= 1024, u++;
	anvil_fmt(r.s, sizeof(r.s), "%.4g %s", v, unit[u]);
	svg_fix_point(r.s);
	return r;
}

static int svg_is_bytes(const char *unit) { return unit && !strcmp(unit, "B"); }

/* ---- axes ---------------------------------------------------------------- */

enum svg_scale { SVG_LIN, SVG_LOG2, SVG_LOG10 };

struct svg_axis {
	enum svg_scale scale;
	double lo, hi;          /* domain, data units */
	double p0, p1;          /* pixels lo and hi land on */
	double div;             /* tick labels show v / div (seconds as min, h) */
	int bytes;              /* log-2 ticks read B, KiB, MiB … */
	size_t nt;
	double t[SVG_MAX_TICKS];
};

/* The plot rectangle inside a w x h chart. */
struct svg_frame {
	double w, h;
	double l, r, t, b;
};

static double svg_tr(const struct svg_axis *a, double v)
{
	return a->scale == SVG_LOG2 ? log2(v) : a->scale == SVG_LOG10 ? log10(v) : v;
}

/* Pixel of v. Halves first, so a domain as wide as the doubles cannot
 * overflow into inf / inf = NaN. */
static double svg_pos(const struct svg_axis *a, double v)
{
	double t0 = svg_tr(a, a->lo) / 2, t1 = svg_tr(a, a->hi) / 2;
	return a->p0 + (svg_tr(a, v) / 2 - t0) / (t1 - t0) * (a->p1 - a->p0);
}

/* 1, 2 or 5 times a power of ten, near span / target. */
static double svg_nice_step(double span, int target)
{
	double raw = span / target, mag = pow(10, floor(log10(raw))), f = raw / mag;
	return (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * mag;
}

/* Widens an empty or one-point domain so that it has a width. */
static void svg_pad_domain(struct svg_axis *a)
{
	if (a->hi > a->lo)
		return;
	if (a->scale != SVG_LIN)
		a->lo /= 2, a->hi *= 2;
	else if (a->lo == 0)
		a->hi = 1;
	else
		a->lo -= fabs(a->lo) / 2, a->hi += fabs(a->hi) / 2;
}

/* Ticks at 1-2-5 steps; `extend` rounds the domain out to whole steps. */
static void svg_ticks_lin(struct svg_axis *a, int target, int extend)
{
	double lo = a->lo / a->div, hi = a->hi / a->div;
	double step = svg_nice_step(hi - lo, target), k0, k1;

	a->nt = 0;
	if (!isfinite(step) || step <= 0)
		return; /* a span beyond double range: no ticks rather than NaN ones */
	if (extend) {
		lo = floor(lo / step + 1e-9) * step;
		hi = ceil(hi / step - 1e-9) * step;
		a->lo = lo * a->div, a->hi = hi * a->div;
	}
	/* counted, not stepped: at 1e17, k + 1 == k and a stepped loop never ends */
	k0 = ceil(lo / step - 1e-9), k1 = floor(hi / step + 1e-9);
	for (a->nt = 0; a->nt < SVG_MAX_TICKS && k0 + (double)a->nt <= k1; a->nt++)
		a->t[a->nt] = (k0 + (double)a->nt) * step * a->div;
}

/* Ticks at powers of two, every 1, 2, 5 or 10 of them (so 1 KiB, 1 MiB stay
 * ticks) with at most maxt labels. */
static void svg_ticks_log2(struct svg_axis *a, int maxt)
{
	static const int steps[] = { 1, 2, 5, 10, 20 };
	int e0 = (int)ceil(log2(a->lo) - 1e-9), e1 = (int)floor(log2(a->hi) + 1e-9);
	int step = 20;

	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
		if ((e1 - e0) / steps[i] + 1 <= maxt) {
			step = steps[i];
			break;
		}
	a->nt = 0;
	for (int e = (int)ceil((double)e0 / step) * step; e <= e1; e += step)
		if (a->nt < SVG_MAX_TICKS)
			a->t[a->nt++] = ldexp(1, e);
	if (a->nt == 0) /* less than one octave wide */
		a->t[a->nt++] = a->lo, a->t[a->nt++] = a->hi;
}

/* Ticks at decades, or at 1-2-5 inside a narrow range; the domain is widened
 * to the ticks either side so both ends are labelled. */
static void svg_ticks_log10(struct svg_axis *a)
{
	int d0 = (int)floor(log10(a->lo)), d1 = (int)ceil(log10(a->hi));
	int decades = d1 - d0 <= 2 ? 0 : 1 + (d1 - d0) / 8;
	double c[3 * 40], lo = a->lo, hi = a->hi;
	size_t nc = 0;

	for (int d = d0 - 1; d <= d1 + 1 && nc + 3 <= sizeof(c) / sizeof(c[0]); d++) {
		if (decades) {
			if (d % decades == 0)
				c[nc++] = pow(10, d);
			continue;
		}
		c[nc++] = pow(10, d), c[nc++] = 2 * pow(10, d), c[nc++] = 5 * pow(10, d);
	}
	for (size_t i = 0; i < nc; i++) {
		if (c[i] <= lo * (1 + 1e-9))
			a->lo = c[i];
		if (c[i] >= hi * (1 - 1e-9) && a->hi == hi)
			a->hi = c[i];
	}
	a->nt = 0;
	for (size_t i = 0; i < nc && a->nt < SVG_MAX_TICKS; i++)
		if (c[i] >= a->lo * (1 - 1e-9) && c[i] <= a->hi * (1 + 1e-9))
			a->t[a->nt++] = c[i];
}

static struct svg_n svg_tick_label(const struct svg_axis *a, double v)
{
	return a->bytes ? svg_bytes(v) : svg_si(v / a->div);
}

static double svg_ticks_w(const struct svg_axis *a, double fs)
{
	double w = 0;
	for (size_t i = 0; i < a->nt; i++) {
		double tw = svg_text_w(svg_tick_label(a, a->t[i]).s, 0, fs);
		w = tw > w ? tw : w;
	}
	return w;
}

/* ---- pieces every chart uses ---------------------------------------------- */

static const char *svg_or(const char *s, const char *dflt) { return s && *s ? s : dflt; }

/* Opens the root element, with the accessible name and description. */
static void svg_open(struct strbuf *out, double w, double h, const char *kind,
		     const char *title, const char *desc)
{
	strbuf_addf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"anvil-chart %s\""
		    " role=\"img\" width=\"%s\" height=\"%s\" viewBox=\"0 0 %s %s\""
		    " font-family=\"" SVG_FONT "\" font-size=\"12\" fill=\"" SVG_INK "\">",
		    kind, svg_px(w).s, svg_px(h).s, svg_px(w).s, svg_px(h).s);
	strbuf_adds(out, "<title>");
	svg_text(out, title, 0);
	strbuf_adds(out, "</title>");
	if (desc && *desc) {
		strbuf_adds(out, "<desc>");
		svg_text(out, desc, 0);
		strbuf_adds(out, "</desc>");
	}
}

/* The visible title, cut to the chart's width. */
static void svg_title(struct strbuf *out, const char *title, double w)
{
	if (!title || !*title)
		return;
	strbuf_adds(out, "<text class=\"chart-title\" x=\"12\" y=\"24\" font-size=\"15\""
		    " font-weight=\"600\" fill=\"#222222\">");
	svg_text(out, title, (size_t)((w - 24) / 8.5));
	strbuf_adds(out, "</text>");
}

static void svg_empty(struct strbuf *out, const char *title, const char *kind)
{
	svg_open(out, SVG_W, 96, kind, title, "no data");
	svg_title(out, title, SVG_W);
	strbuf_addf(out, "<text class=\"empty\" x=\"%s\" y=\"66\" text-anchor=\"middle\""
		    " fill=\"#888888\">no data</text></svg>\n", svg_px(SVG_W / 2).s);
}

/* Axis title with its unit: "bandwidth (GB/s)". */
static void svg_axis_title(struct strbuf *out, const char *label, const char *unit)
{
	svg_text(out, label, 60);
	if (unit && *unit) {
		strbuf_adds(out, label && *label ? " (" : "(");
		svg_text(out, unit, 20);
		strbuf_adds(out, ")");
	}
}

/* Short unlabelled marks on a log axis between the labelled ticks: every
 * power of two, or 2..9 within each decade. x when horizontal, else y. */
static void svg_minor(struct strbuf *out, const struct svg_frame *f,
		      const struct svg_axis *a, int horizontal)
{
	double lo = a->lo * (1 - 1e-9), hi = a->hi * (1 + 1e-9);

	if (a->scale == SVG_LIN)
		return;
	strbuf_adds(out, "<path class=\"minor\" stroke=\"#bbbbbb\" d=\"");
	for (int e = (int)floor(svg_tr(a, a->lo)); e <= (int)ceil(svg_tr(a, a->hi)); e++)
		for (int m = 1; m < (a->scale == SVG_LOG2 ? 2 : 10); m++) {
			double v = a->scale == SVG_LOG2 ? ldexp(1, e) : m * pow(10, e);
			double p = svg_pos(a, v);
			if (v < lo || v > hi)
				continue;
			if (horizontal)
				strbuf_addf(out, "M%s %sv4", svg_px(p).s, svg_px(f->b).s);
			else
				strbuf_addf(out, "M%s %sh-4", svg_px(f->l).s, svg_px(p).s);
		}
	strbuf_adds(out, "\"/>");
}

/* Grid lines, the two axis lines and the y tick labels; the x ticks too when
 * xa is given (bar charts label their own x). */
static void svg_grid(struct strbuf *out, const struct svg_frame *f,
		     const struct svg_axis *xa, const struct svg_axis *ya)
{
	strbuf_adds(out, "<g class=\"grid\" stroke=\"#e8e8e8\" stroke-width=\"1\""
		    " shape-rendering=\"crispEdges\">");
	for (size_t i = 0; i < ya->nt; i++) {
		struct svg_n y = svg_px(svg_pos(ya, ya->t[i]));
		strbuf_addf(out, "<line x1=\"%s\" x2=\"%s\" y1=\"%s\" y2=\"%s\"/>",
			    svg_px(f->l).s, svg_px(f->r).s, y.s, y.s);
	}
	for (size_t i = 0; xa && i < xa->nt; i++) {
		struct svg_n x = svg_px(svg_pos(xa, xa->t[i]));
		strbuf_addf(out, "<line x1=\"%s\" x2=\"%s\" y1=\"%s\" y2=\"%s\"/>",
			    x.s, x.s, svg_px(f->t).s, svg_px(f->b).s);
	}
	strbuf_addf(out, "</g><path class=\"axis\" d=\"M%s %sV%sH%s\" fill=\"none\""
		    " stroke=\"#999999\" shape-rendering=\"crispEdges\"/>",
		    svg_px(f->l).s, svg_px(f->t).s, svg_px(f->b).s, svg_px(f->r).s);
	if (xa)
		svg_minor(out, f, xa, 1);
	svg_minor(out, f, ya, 0);
	strbuf_adds(out, "<g class=\"tick\" font-size=\"11\" fill=\"" SVG_MUTED "\">");
	for (size_t i = 0; i < ya->nt; i++)
		strbuf_addf(out, "<text x=\"%s\" y=\"%s\" text-anchor=\"end\">%s</text>",
			    svg_px(f->l - 6).s, svg_px(svg_pos(ya, ya->t[i]) + 4).s,
			    svg_tick_label(ya, ya->t[i]).s);
	for (size_t i = 0; xa && i < xa->nt; i++)
		strbuf_addf(out, "<text x=\"%s\" y=\"%s\" text-anchor=\"middle\">%s</text>",
			    svg_px(svg_pos(xa, xa->t[i])).s, svg_px(f->b + 16).s,
			    svg_tick_label(xa, xa->t[i]).s);
	strbuf_adds(out, "</g>");
}

static void svg_x_title(struct strbuf *out, const struct svg_frame *f, double y,
			const char *label, const char *unit)
{
	if (!(label && *label) && !(unit && *unit))
		return;
	strbuf_addf(out, "<text class=\"axis-title\" x=\"%s\" y=\"%s\" text-anchor=\"middle\">",
		    svg_px((f->l + f->r) / 2).s, svg_px(y).s);
	svg_axis_title(out, label, unit);
	strbuf_adds(out, "</text>");
}

static void svg_y_title(struct strbuf *out, const struct svg_frame *f,
			const char *label, const char *unit)
{
	struct svg_n y = svg_px((f->t + f->b) / 2);

	if (!(label && *label) && !(unit && *unit))
		return;
	strbuf_addf(out, "<text class=\"axis-title\" x=\"16\" y=\"%s\" text-anchor=\"middle\""
		    " transform=\"rotate(-90 16 %s)\">", y.s, y.s);
	svg_axis_title(out, label, unit);
	strbuf_adds(out, "</text>");
}

/* Dashed horizontal lines (peak, threshold, limits), named in a column right
 * of the plot where no data can hide the words. Line and words share
 * currentColor, so one CSS `color` restyles both. */
struct svg_hl {
	double v;
	const char *cls;
	const char *color;
	const char *label;
};
#define SVG_MAX_HL 4
#define SVG_HL_CP 16            /* code points kept of a line's name */

static void svg_hl_add(struct svg_hl *hl, size_t *n, double v, const char *cls,
		       const char *color, const char *label)
{
	if (isfinite(v) && *n < SVG_MAX_HL)
		hl[(*n)++] = (struct svg_hl){ v, cls, color, label };
}

/* Width of the label column: the name over "value unit". */
static double svg_hl_w(const struct svg_hl *hl, size_t n, const char *unit)
{
	double w = 0;

	for (size_t i = 0; i < n; i++) {
		double vw = svg_text_w(svg_val(hl[i].v).s, 0, 11) + svg_text_w(unit, 10, 11) + 4;
		w = fmax(w, fmax(svg_text_w(hl[i].label, SVG_HL_CP, 11) * 1.1, vw)); /* bold */
	}
	return n ? w + 16 : 0;
}

/* Label centres: at their lines, pushed apart to 26 px, kept above bottom. */
static void svg_hl_place(const struct svg_hl *hl, size_t n, const struct svg_axis *ya,
			 double bottom, double *ly)
{
	size_t ord[SVG_MAX_HL];

	for (size_t i = 0; i < n; i++) {
		size_t j = i;
		ly[i] = svg_pos(ya, hl[i].v);
		for (; j > 0 && ly[ord[j - 1]] > ly[i]; j--)
			ord[j] = ord[j - 1];
		ord[j] = i;
	}
	for (size_t k = 1; k < n; k++)
		ly[ord[k]] = fmax(ly[ord[k]], ly[ord[k - 1]] + 26);
	if (n && ly[ord[n - 1]] > bottom)
		ly[ord[n - 1]] = bottom;
	for (size_t k = n - 1; k > 0 && k < n; k--)
		ly[ord[k - 1]] = fmin(ly[ord[k - 1]], ly[ord[k]] - 26);
}

/* Lines from x0 to x1, names at lx. */
static void svg_hl_draw(struct strbuf *out, const struct svg_hl *hl, size_t n,
			const struct svg_axis *ya, double x0, double x1, double lx,
			double bottom, const char *unit)
{
	double ly[SVG_MAX_HL];

	svg_hl_place(hl, n, ya, bottom, ly);
	for (size_t i = 0; i < n; i++) {
		struct svg_n y = svg_px(svg_pos(ya, hl[i].v));
		int named = hl[i].label && *hl[i].label;
		strbuf_addf(out, "<g class=\"%s\" color=\"%s\" fill=\"currentColor\" font-size=\"11\">"
			    "<line x1=\"%s\" x2=\"%s\" y1=\"%s\" y2=\"%s\" stroke=\"currentColor\""
			    " stroke-width=\"1.5\" stroke-dasharray=\"6 4\"/>", hl[i].cls, hl[i].color,
			    svg_px(x0).s, svg_px(x1).s, y.s, y.s);
		if (named) {
			strbuf_addf(out, "<text x=\"%s\" y=\"%s\" font-weight=\"600\">",
				    svg_px(lx).s, svg_px(ly[i] - 2).s);
			svg_text(out, hl[i].label, SVG_HL_CP);
			strbuf_adds(out, "</text>");
		}
		strbuf_addf(out, "<text x=\"%s\" y=\"%s\">%s", svg_px(lx).s,
			    svg_px(ly[i] + (named ? 11 : 4)).s, svg_val(hl[i].v).s);
		if (unit && *unit) {
			strbuf_addch(out, ' ');
			svg_text(out, unit, 10);
		}
		strbuf_adds(out, "</text></g>");
	}
}

/* Whether a horizontal line at v can be drawn on ya's scale. */
static int svg_hline_ok(double v, const struct svg_axis *ya)
{
	return isfinite(v) && (ya->scale == SVG_LIN || v > 0);
}

/* ax->ref_value, unless unset: NaN, or a zero-initialised struct. */
static int svg_has_ref(const struct anvil_svg_axes *ax)
{
	return isfinite(ax->ref_value) && (ax->ref_value != 0 || ax->ref_label);
}

/* ---- line charts and time series ----------------------------------------- */

struct svg_xy {
	const struct anvil_svg_axes *ax;
	const struct anvil_svg_line *lines;
	size_t nlines;
	int time_x;             /* x is seconds */
	double warn, fail;      /* time series limits, NaN = none */
};

static int svg_pt_ok(const struct svg_xy *c, double x, double y)
{
	return isfinite(x) && isfinite(y) && (!c->ax->log_x || c->time_x || x > 0) &&
	       (!c->ax->log_y || y > 0);
}

/* Data extent into xa/ya; returns how many points can be drawn. */
static size_t svg_xy_extent(const struct svg_xy *c, struct svg_axis *xa, struct svg_axis *ya)
{
	size_t k = 0;

	for (size_t i = 0; i < c->nlines; i++) {
		const struct anvil_svg_line *ln = &c->lines[i];
		for (size_t j = 0; ln->x && ln->y && j < ln->n; j++) {
			double x = ln->x[j], y = ln->y[j];
			if (!svg_pt_ok(c, x, y))
				continue;
			if (k++ == 0)
				xa->lo = xa->hi = x, ya->lo = ya->hi = y;
			xa->lo = fmin(xa->lo, x), xa->hi = fmax(xa->hi, x);
			ya->lo = fmin(ya->lo, y), ya->hi = fmax(ya->hi, y);
		}
	}
	return k;
}

/* Widens the y domain to the reference lines, so they are on the chart. */
static void svg_xy_include(const struct svg_xy *c, struct svg_axis *ya)
{
	double v[3] = { svg_has_ref(c->ax) ? c->ax->ref_value : NAN, c->warn, c->fail };

	for (int i = 0; i < 3; i++)
		if (svg_hline_ok(v[i], ya))
			ya->lo = fmin(ya->lo, v[i]), ya->hi = fmax(ya->hi, v[i]);
}

/* Time axes switch to minutes or hours so ticks stay round numbers. */
static const char *svg_time_unit(struct svg_axis *xa)
{
	double span = xa->hi - xa->lo;

	if (span >= 4 * 3600) {
		xa->div = 3600;
		return "h";
	}
	if (span >= 20 * 60) {
		xa->div = 60;
		return "min";
	}
	xa->div = 1;
	return "s";
}

static void svg_xy_yaxis(const struct svg_xy *c, struct svg_axis *ya)
{
	ya->div = 1;
	ya->scale = c->ax->log_y ? SVG_LOG10 : SVG_LIN;
	if (!c->time_x && !c->ax->log_y && ya->lo >= 0)
		ya->lo = 0; /* bandwidth-like: height from zero reads as a share of the peak */
	svg_xy_include(c, ya);
	svg_pad_domain(ya);
	if (ya->scale == SVG_LOG10)
		svg_ticks_log10(ya);
	else
		svg_ticks_lin(ya, 5, 1);
}

/* Sets up the x axis; returns the unit for its title (none when the ticks
 * carry it, as 1 KiB does). */
static const char *svg_xy_xaxis(const struct svg_xy *c, struct svg_axis *xa, double plot_w)
{
	int log2x = c->ax->log_x && !c->time_x;
	const char *unit = c->ax->x_unit;

	xa->div = 1;
	xa->scale = log2x ? SVG_LOG2 : SVG_LIN;
	xa->bytes = log2x && svg_is_bytes(unit);
	svg_pad_domain(xa);
	if (c->time_x)
		unit = svg_time_unit(xa);
	if (log2x)
		svg_ticks_log2(xa, (int)(plot_w / (xa->bytes ? 62 : 48)));
	else
		svg_ticks_lin(xa, (int)fmax(2, plot_w / 90), 0);
	return xa->bytes ? NULL : unit;
}

/* Opens a series group; its children draw in currentColor. */
static void svg_series_open(struct strbuf *out, size_t i)
{
	strbuf_addf(out, "<g class=\"series s%zu\" color=\"%s\">", i % SVG_NSERIES,
		    svg_series_color[i % SVG_NSERIES]);
}

/* Stroke attributes of series i; dense series (telemetry) draw thinner. */
static void svg_series_stroke(struct strbuf *out, size_t i, int dense)
{
	const char *dash = svg_series_dash[(i / SVG_NSERIES) % 3];

	strbuf_addf(out, " fill=\"none\" stroke=\"currentColor\" stroke-width=\"%s\""
		    " stroke-linejoin=\"round\" stroke-linecap=\"round\"", dense ? "1.5" : "2");
	if (dash)
		strbuf_addf(out, " stroke-dasharray=\"%s\"", dash);
}

/* One point's tooltip: "label: 4 KiB, 12.5 GB/s". */
static void svg_pt_title(struct strbuf *out, const struct svg_xy *c,
			 const char *label, double x, double y)
{
	strbuf_adds(out, "<title>");
	if (label && *label) {
		svg_text(out, label, 0);
		strbuf_adds(out, ": ");
	}
	if (svg_is_bytes(c->ax->x_unit))
		strbuf_adds(out, svg_bytes(x).s);
	else
		strbuf_addf(out, "%s", svg_val(x).s);
	if (c->time_x)
		strbuf_adds(out, " s");
	strbuf_addf(out, ", %s", svg_val(y).s);
	if (c->ax->y_unit && *c->ax->y_unit) {
		strbuf_addch(out, ' ');
		svg_text(out, c->ax->y_unit, 0);
	}
	strbuf_adds(out, "</title>");
}

static void svg_series(struct strbuf *out, const struct svg_xy *c, size_t i,
		       const struct svg_axis *xa, const struct svg_axis *ya)
{
	const struct anvil_svg_line *ln = &c->lines[i];
	int pen = 0, markers = ln->n <= SVG_MARKERS_MAX;

	if (!ln->x || !ln->y)
		return;
	svg_series_open(out, i);
	strbuf_adds(out, "<title>");
	svg_text(out, svg_or(ln->label, "series"), 0);
	strbuf_adds(out, "</title><path d=\"");
	for (size_t j = 0; j < ln->n; j++) {
		if (!svg_pt_ok(c, ln->x[j], ln->y[j])) {
			pen = 0; /* a gap, not a line across missing samples */
			continue;
		}
		strbuf_addf(out, "%c%s %s", pen ? 'L' : 'M', svg_px(svg_pos(xa, ln->x[j])).s,
			    svg_px(svg_pos(ya, ln->y[j])).s);
		pen = 1;
	}
	strbuf_adds(out, "\"");
	svg_series_stroke(out, i, !markers);
	strbuf_adds(out, "/>");
	for (size_t j = 0; markers && j < ln->n; j++) {
		if (!svg_pt_ok(c, ln->x[j], ln->y[j]))
			continue;
		strbuf_addf(out, "<circle class=\"pt\" cx=\"%s\" cy=\"%s\" r=\"3\" fill=\"#ffffff\""
			    " stroke=\"currentColor\" stroke-width=\"1.5\">",
			    svg_px(svg_pos(xa, ln->x[j])).s, svg_px(svg_pos(ya, ln->y[j])).s);
		svg_pt_title(out, c, ln->label, ln->x[j], ln->y[j]);
		strbuf_adds(out, "</circle>");
	}
	strbuf_adds(out, "</g>");
}

/* The legend flows in rows under the title, left to right, at most 3 rows;
 * lines that do not fit are counted as "+N more". Returns the rows used;
 * draws only when out is given, so measuring and drawing cannot disagree. */
#define SVG_LEGEND_ROWS 3
static int svg_legend(struct strbuf *out, const struct svg_xy *c, double w, double y0)
{
	double x = 12;
	int row = 0;
	size_t i;

	if (c->nlines < 2)
		return 0;
	if (out)
		strbuf_adds(out, "<g class=\"legend\" font-size=\"11\">");
	for (i = 0; i < c->nlines; i++) {
		const char *label = svg_or(c->lines[i].label, "series");
		double ew = 28 + svg_text_w(label, 24, 11) + 16;
		struct svg_n y = svg_px(y0 + 18.0 * row);
		if (x > 12 && x + ew > w - 12) {
			if (row + 1 == SVG_LEGEND_ROWS)
				break;
			x = 12, row++;
			y = svg_px(y0 + 18.0 * row);
		}
		if (out) {
			svg_series_open(out, i);
			strbuf_addf(out, "<path d=\"M%s %sh22\"", svg_px(x).s, svg_px(y0 + 18.0 * row - 4).s);
			svg_series_stroke(out, i, 0);
			strbuf_addf(out, "/><text x=\"%s\" y=\"%s\" fill=\"" SVG_INK "\">", svg_px(x + 28).s, y.s);
			svg_text(out, label, 24);
			strbuf_adds(out, "</text></g>");
		}
		x += ew;
	}
	if (out && i < c->nlines)
		strbuf_addf(out, "<text x=\"%s\" y=\"%s\" fill=\"" SVG_MUTED "\">+%zu more</text>",
			    svg_px(x).s, svg_px(y0 + 18.0 * row).s, c->nlines - i);
	if (out)
		strbuf_adds(out, "</g>");
	return row + 1;
}

static void svg_xy_desc(struct strbuf *d, const struct svg_xy *c)
{
	strbuf_addf(d, "%zu series", c->nlines);
	for (size_t i = 0; i < c->nlines && i < 12; i++)
		strbuf_addf(d, "%s%s", i ? ", " : ": ", svg_or(c->lines[i].label, "series"));
	if (c->nlines > 12)
		strbuf_adds(d, ", ...");
}

static size_t svg_xy_hls(const struct svg_xy *c, const struct svg_axis *ya, struct svg_hl *hl)
{
	size_t n = 0;

	if (svg_has_ref(c->ax) && svg_hline_ok(c->ax->ref_value, ya))
		svg_hl_add(hl, &n, c->ax->ref_value, "ref", SVG_REF, c->ax->ref_label);
	if (svg_hline_ok(c->warn, ya))
		svg_hl_add(hl, &n, c->warn, "warn", SVG_WARN, "warn");
	if (svg_hline_ok(c->fail, ya))
		svg_hl_add(hl, &n, c->fail, "fail", SVG_BAD, "fail");
	return n;
}

static void svg_xy_chart(struct strbuf *out, const struct svg_xy *c, const char *kind)
{
	const struct anvil_svg_axes *ax = c->ax;
	struct svg_axis xa = { 0 }, ya = { 0 };
	struct svg_frame f = { .w = SVG_W };
	struct strbuf desc = STRBUF_INIT;
	struct svg_hl hl[SVG_MAX_HL];
	size_t nhl;
	double top = ax->title && *ax->title ? 44 : 16, legend_y = top + 4;
	int rows = svg_legend(NULL, c, f.w, legend_y);
	const char *xunit;

	if (!svg_xy_extent(c, &xa, &ya)) {
		svg_empty(out, ax->title, kind);
		return;
	}
	svg_xy_yaxis(c, &ya);
	nhl = svg_xy_hls(c, &ya, hl);
	f.t = rows ? legend_y + 18.0 * rows : top;
	f.h = f.t + 300;
	f.b = f.h - 50;
	f.l = 30 + svg_ticks_w(&ya, 11) + 8;
	f.r = f.w - (nhl ? 8 + svg_hl_w(hl, nhl, ax->y_unit) : 24);
	ya.p0 = f.b, ya.p1 = f.t;
	xunit = svg_xy_xaxis(c, &xa, f.r - f.l);
	xa.p0 = f.l, xa.p1 = f.r;
	svg_xy_desc(&desc, c);
	svg_open(out, f.w, f.h, kind, svg_or(ax->title, kind), strbuf_str(&desc));
	strbuf_release(&desc);
	svg_title(out, ax->title, f.w);
	svg_legend(out, c, f.w, legend_y);
	svg_grid(out, &f, &xa, &ya);
	svg_x_title(out, &f, f.h - 10, svg_or(ax->x_label, c->time_x ? "time" : NULL), xunit);
	svg_y_title(out, &f, ax->y_label, ax->y_unit);
	svg_hl_draw(out, hl, nhl, &ya, f.l, f.r, f.r + 8, f.b, ax->y_unit);
	for (size_t i = 0; i < c->nlines; i++)
		svg_series(out, c, i, &xa, &ya);
	strbuf_adds(out, "</svg>\n");
}

void anvil_svg_line_chart(struct strbuf *out, const struct anvil_svg_axes *ax,
			  const struct anvil_svg_line *lines, size_t nlines)
{
	struct svg_xy c = { .ax = ax, .lines = lines, .nlines = nlines, .warn = NAN, .fail = NAN };
	svg_xy_chart(out, &c, "line-chart");
}

void anvil_svg_timeseries(struct strbuf *out, const struct anvil_svg_axes *ax,
			  const struct anvil_svg_line *lines, size_t nlines,
			  double warn, double fail)
{
	struct svg_xy c = { .ax = ax, .lines = lines, .nlines = nlines, .time_x = 1,
			     .warn = warn, .fail = fail };
	svg_xy_chart(out, &c, "timeseries");
}

/* ---- labels under an x axis (bars, heatmap columns) ------------------------ */

struct svg_xlabels {
	double fs;              /* font size */
	int rot;                /* 0, 45 or 90 degrees */
	size_t every;           /* room for every k-th label */
	double height;          /* px below the axis they take */
};

/* Horizontal when they fit, else slanted, else upright and thinned. */
static void svg_xlabels_fit(struct svg_xlabels *xl, double slot, double maxw, double fs)
{
	xl->fs = fs;
	xl->every = 1;
	if (maxw + 8 <= slot) {
		xl->rot = 0;
		xl->height = fs + 8;
	} else if (slot >= fs * 1.25 / 0.7071) {
		xl->rot = 45;
		xl->height = maxw * 0.7071 + fs + 6;
	} else {
		xl->rot = 90;
		xl->every = (size_t)ceil(fs * 1.2 / slot);
		xl->height = maxw + 12;
	}
}

/* Which labels to draw when only every k-th fits: a bad one always (when
 * not crowding another bad one), the others only clear of those. */
static void svg_pick_labels(unsigned char *show, const unsigned char *bad, size_t n, size_t k)
{
	size_t last = 0;
	int any = 0;

	for (size_t i = 0; i < n; i++) {
		show[i] = bad[i] && (!any || i - last >= k);
		if (show[i])
			last = i, any = 1;
	}
	for (size_t i = 0; i < n; i += k) {
		int clear = !bad[i];
		for (size_t j = i >= k ? i - k + 1 : 0; clear && j < n && j < i + k; j++)
			clear = !show[j];
		show[i] = (unsigned char)(show[i] | clear);
	}
}

/* Opens a <text> for an x label hanging from (x, y), its end at the tick. */
static void svg_xlabel_open(struct strbuf *out, const struct svg_xlabels *xl,
			    double x, double y, int bad)
{
	struct svg_n px = svg_px(x), py = svg_px(y + (xl->rot ? 4 : xl->fs + 2));

	strbuf_addf(out, "<text class=\"tick%s\" x=\"%s\" y=\"%s\"", bad ? " bad" : "", px.s, py.s);
	if (xl->rot)
		strbuf_addf(out, " dy=\"0.35em\" text-anchor=\"end\" transform=\"rotate(-%d %s %s)\"",
			    xl->rot, px.s, py.s);
	else
		strbuf_adds(out, " text-anchor=\"middle\"");
	if (bad)
		strbuf_adds(out, " fill=\"" SVG_BAD "\" font-weight=\"600\"");
	strbuf_adds(out, ">");
}

/* ---- bar charts ----------------------------------------------------------- */

struct svg_bars {
	const struct anvil_svg_axes *ax;
	const struct anvil_svg_bar *bars;
	size_t n;
	double thr;             /* NaN = none */
	const char *thr_label;
	size_t strip;           /* bytes of shared domain left off the names */
};

static int svg_bar_bad(const struct svg_bars *c, size_t i)
{
	return c->bars[i].bad || (isfinite(c->thr) && c->bars[i].value < c->thr);
}

/* Value extent, widened to 0 (bars grow from it) and to the lines drawn. */
static void svg_bars_extent(const struct svg_bars *c, struct svg_axis *ya, int zero)
{
	double v[2] = { c->thr, svg_has_ref(c->ax) ? c->ax->ref_value : NAN };
	int any = zero;

	ya->lo = ya->hi = 0;
	for (size_t i = 0; i < c->n + 2; i++) {
		double x = i < c->n ? c->bars[i].value : v[i - c->n];
		if (!isfinite(x))
			continue;
		ya->lo = any ? fmin(ya->lo, x) : x;
		ya->hi = any ? fmax(ya->hi, x) : x;
		any = 1;
	}
	ya->div = 1;
	ya->scale = SVG_LIN;
	svg_pad_domain(ya);
	svg_ticks_lin(ya, 5, 1);
}

/* "12 bars; 2 bad: node03, node07". */
static void svg_bars_desc(struct strbuf *d, const struct svg_bars *c, const char *what)
{
	size_t nbad = 0, listed = 0;

	for (size_t i = 0; i < c->n; i++)
		nbad += svg_bar_bad(c, i) != 0;
	strbuf_addf(d, "%zu %s; %zu bad", c->n, what, nbad);
	for (size_t i = 0; i < c->n && listed < 10; i++)
		if (svg_bar_bad(c, i))
			strbuf_addf(d, "%s%s", listed++ ? ", " : ": ", svg_or(c->bars[i].label, "?"));
	if (nbad > listed)
		strbuf_adds(d, ", ...");
}

/* "node03: 612 GB/s, below 800" */
static void svg_bar_title(struct strbuf *out, const struct svg_bars *c, size_t i)
{
	const struct anvil_svg_bar *b = &c->bars[i];

	strbuf_adds(out, "<title>");
	svg_text(out, svg_or(b->label, "?"), 0);
	strbuf_addf(out, ": %s", isfinite(b->value) ? svg_val(b->value).s : "no data");
	if (isfinite(b->value) && c->ax->y_unit && *c->ax->y_unit) {
		strbuf_addch(out, ' ');
		svg_text(out, c->ax->y_unit, 0);
	}
	if (isfinite(c->thr) && b->value < c->thr)
		strbuf_addf(out, ", below %s", svg_val(c->thr).s);
	else if (b->bad)
		strbuf_adds(out, ", flagged");
	strbuf_adds(out, "</title>");
}

static void svg_bar(struct strbuf *out, const struct svg_bars *c, size_t i, double x,
		    double bw, const struct svg_axis *ya, int with_value)
{
	double v = c->bars[i].value, y0 = svg_pos(ya, 0), y;
	int bad = svg_bar_bad(c, i);

	if (!isfinite(v)) { /* a node that gave no number */
		strbuf_addf(out, "<text class=\"missing%s\" x=\"%s\" y=\"%s\" text-anchor=\"middle\""
			    " font-size=\"10\" fill=\"%s\">%s", bad ? " bad" : "",
			    svg_px(x).s, svg_px(y0 - 4).s, bad ? SVG_BAD : "#999999",
			    bw >= 16 ? "n/a" : "\xc3\x97");
		svg_bar_title(out, c, i);
		strbuf_adds(out, "</text>");
		return;
	}
	y = svg_pos(ya, v);
	strbuf_addf(out, "<rect class=\"bar%s\" x=\"%s\" y=\"%s\" width=\"%s\" height=\"%s\""
		    " fill=\"%s\">", bad ? " bad" : "", svg_px(x - bw / 2).s,
		    svg_px(fmin(y, y0)).s, svg_px(bw).s, svg_px(fmax(fabs(y - y0), 0.5)).s,
		    bad ? SVG_BAD : SVG_GOOD);
	svg_bar_title(out, c, i);
	strbuf_adds(out, "</rect>");
	if (with_value)
		strbuf_addf(out, "<text class=\"value\" x=\"%s\" y=\"%s\" text-anchor=\"middle\""
			    " font-size=\"10\" fill=\"" SVG_MUTED "\" stroke=\"#ffffff\" stroke-width=\"3\""
			    " paint-order=\"stroke\">%s</text>", svg_px(x).s,
			    svg_px(v >= 0 ? y - 4 : fmin(y + 12, ya->p0 - 3)).s, svg_val(v).s);
}

static double svg_bars_label_w(const struct svg_bars *c, double fs)
{
	double w = 0;
	for (size_t i = 0; i < c->n; i++)
		w = fmax(w, svg_label_w(c->bars[i].label, c->strip, SVG_LABEL_CP, fs));
	return w;
}

/* Whether every value fits above its bar. */
static int svg_bars_values_fit(const struct svg_bars *c, double slot)
{
	for (size_t i = 0; i < c->n; i++)
		if (svg_text_w(svg_val(c->bars[i].value).s, 0, 10) + 4 > slot)
			return 0;
	return c->n <= 32;
}

static void svg_bars_xlabels(struct strbuf *out, const struct svg_bars *c,
			     const struct svg_frame *f, const struct svg_xlabels *xl)
{
	unsigned char show[ANVIL_SVG_MAX_BARS], bad[ANVIL_SVG_MAX_BARS];
	double slot = (f->r - f->l) / (double)c->n;

	for (size_t i = 0; i < c->n; i++)
		bad[i] = (unsigned char)svg_bar_bad(c, i);
	svg_pick_labels(show, bad, c->n, xl->every);
	strbuf_addf(out, "<g class=\"xlabels\" font-size=\"%s\" fill=\"" SVG_MUTED "\">",
		    svg_px(xl->fs).s);
	for (size_t i = 0; i < c->n; i++) {
		if (!show[i])
			continue;
		svg_xlabel_open(out, xl, f->l + slot * ((double)i + 0.5), f->b, bad[i]);
		svg_label(out, c->bars[i].label, c->strip, SVG_LABEL_CP);
		strbuf_adds(out, "</text>");
	}
	strbuf_adds(out, "</g>");
}

/* Plot frame and label placement for n bars. */
static void svg_bars_layout(const struct svg_bars *c, const struct svg_axis *ya,
			    double hlw, struct svg_frame *f, struct svg_xlabels *xl)
{
	double maxw = svg_bars_label_w(c, 11), over;

	f->t = c->ax->title && *c->ax->title ? 44 : 16;
	f->l = 30 + svg_ticks_w(ya, 11) + 8;
	/* wide enough that every node is named, even upright at 14 px a bar */
	f->w = fmax(SVG_W, f->l + 14.0 * (double)c->n + (hlw ? 8 + hlw : 20));
	f->r = f->w - (hlw ? 8 + hlw : 20);
	svg_xlabels_fit(xl, (f->r - f->l) / (double)c->n, maxw, 11);
	/* a slanted first label must not run off the left edge */
	over = maxw * 0.7071 - (f->r - f->l) / (double)c->n / 2 + 8 - f->l;
	if (xl->rot == 45 && over > 0) {
		f->l += over;
		svg_xlabels_fit(xl, (f->r - f->l) / (double)c->n, maxw, 11);
	}
	f->b = f->t + 240;
	f->h = f->b + xl->height + 26;
}

static size_t svg_bars_hls(const struct svg_bars *c, struct svg_hl *hl)
{
	size_t n = 0;

	if (svg_has_ref(c->ax))
		svg_hl_add(hl, &n, c->ax->ref_value, "ref", SVG_REF, c->ax->ref_label);
	svg_hl_add(hl, &n, c->thr, "threshold", SVG_BAD, c->thr_label);
	return n;
}

/* The x axis title, naming the domain the tick labels leave out. */
static void svg_bars_x_title(struct strbuf *out, const struct svg_bars *c,
			     const struct svg_frame *f, double y)
{
	struct strbuf t = STRBUF_INIT;

	strbuf_adds(&t, svg_or(c->ax->x_label, ""));
	if (c->strip) {
		const char *l0 = c->bars[0].label;
		strbuf_addf(&t, "%s*%s", t.len ? " \xc2\xb7 " : "", l0 + strlen(l0) - c->strip);
	}
	svg_x_title(out, f, y, strbuf_str(&t), NULL);
	strbuf_release(&t);
}

static void svg_bars_draw(struct strbuf *out, struct svg_bars *c)
{
	const struct anvil_svg_axes *ax = c->ax;
	struct svg_axis ya = { 0 };
	struct svg_frame f;
	struct svg_xlabels xl;
	struct strbuf desc = STRBUF_INIT;
	struct svg_hl hl[SVG_MAX_HL];
	const char *names[ANVIL_SVG_MAX_BARS];
	size_t nhl = svg_bars_hls(c, hl);
	double slot;
	int values;

	for (size_t i = 0; i < c->n; i++)
		names[i] = c->bars[i].label;
	c->strip = svg_domain_suffix(names, c->n);
	svg_bars_extent(c, &ya, 1);
	svg_bars_layout(c, &ya, svg_hl_w(hl, nhl, ax->y_unit), &f, &xl);
	ya.p0 = f.b, ya.p1 = f.t;
	slot = (f.r - f.l) / (double)c->n;
	values = svg_bars_values_fit(c, slot);
	svg_bars_desc(&desc, c, "bars");
	svg_open(out, f.w, f.h, "bar-chart", svg_or(ax->title, "bar chart"), strbuf_str(&desc));
	strbuf_release(&desc);
	svg_title(out, ax->title, f.w);
	svg_grid(out, &f, NULL, &ya);
	svg_bars_x_title(out, c, &f, f.h - 10);
	svg_y_title(out, &f, ax->y_label, ax->y_unit);
	strbuf_adds(out, "<g class=\"bars\">");
	for (size_t i = 0; i < c->n; i++)
		svg_bar(out, c, i, f.l + slot * ((double)i + 0.5), fmin(slot * 0.72, 56), &ya, values);
	strbuf_adds(out, "</g>");
	if (ya.lo < 0) /* bars hang from zero, so show where it is */
		strbuf_addf(out, "<path class=\"zero\" d=\"M%s %sH%s\" stroke=\"#999999\"/>",
			    svg_px(f.l).s, svg_px(svg_pos(&ya, 0)).s, svg_px(f.r).s);
	svg_bars_xlabels(out, c, &f, &xl);
	svg_hl_draw(out, hl, nhl, &ya, f.l, f.r, f.r + 8, f.b, ax->y_unit);
	strbuf_adds(out, "</svg>\n");
}

/* ---- many bars: the sorted values and a histogram --------------------------- */

struct svg_rank {
	double v;
	size_t i;
};

/* By value, then by input order, so equal values sort the same every time. */
static int svg_rank_cmp(const void *pa, const void *pb)
{
	const struct svg_rank *a = pa, *b = pb;

	if (a->v != b->v)
		return a->v < b->v ? -1 : 1;
	return a->i < b->i ? -1 : a->i > b->i;
}

/* The finite values, sorted; *m gets their count. Caller frees. */
static struct svg_rank *svg_rank(const struct svg_bars *c, size_t *m)
{
	struct svg_rank *r = svg_xmalloc(c->n * sizeof(*r));

	*m = 0;
	for (size_t i = 0; i < c->n; i++)
		if (isfinite(c->bars[i].value))
			r[(*m)++] = (struct svg_rank){ c->bars[i].value, i };
	anvil_sort(r, *m, sizeof(*r), svg_rank_cmp);
	return r;
}

/* "512 nodes · min 612 · median 812 · max 830 GB/s · 3 bad · 1 missing" */
static void svg_dist_summary(struct strbuf *out, const struct svg_bars *c,
			     const struct svg_rank *r, size_t m)
{
	size_t nbad = 0;
	double med = m % 2 ? r[m / 2].v : (r[m / 2 - 1].v + r[m / 2].v) / 2;

	for (size_t i = 0; i < c->n; i++)
		nbad += svg_bar_bad(c, i) != 0;
	strbuf_addf(out, "%zu values \xc2\xb7 min %s \xc2\xb7 median %s \xc2\xb7 max %s",
		    c->n, svg_val(r[0].v).s, svg_val(med).s, svg_val(r[m - 1].v).s);
	if (c->ax->y_unit && *c->ax->y_unit) {
		strbuf_addch(out, ' ');
		svg_text(out, c->ax->y_unit, 20);
	}
	strbuf_addf(out, " \xc2\xb7 %zu bad", nbad);
	if (m < c->n)
		strbuf_addf(out, " \xc2\xb7 %zu missing", c->n - m);
}

/* The bad ones by name, lowest first, missing ones last, as far as maxw px
 * allows; the rest are counted. */
static void svg_dist_worst(struct strbuf *out, const struct svg_bars *c,
			   const struct svg_rank *r, size_t m, double maxw)
{
	size_t nbad = 0, shown = 0;
	double w = 30;
	int full = 0;

	for (size_t k = 0; k < c->n + m; k++) {
		size_t i = k < m ? r[k].i : k - m;
		const char *name = svg_or(c->bars[i].label, "?");
		if (!svg_bar_bad(c, i) || (k >= m && isfinite(c->bars[i].value)))
			continue;
		nbad++;
		w += svg_text_w(name, SVG_LABEL_CP, 11) + svg_text_w(svg_val(c->bars[i].value).s, 0, 11) + 14;
		full |= w > maxw;
		if (full)
			continue;
		strbuf_adds(out, shown++ ? ", " : "bad: ");
		svg_text(out, name, SVG_LABEL_CP);
		strbuf_addf(out, " %s", svg_val(c->bars[i].value).s);
	}
	if (nbad > shown)
		strbuf_addf(out, "%s+%zu more", shown ? ", " : "bad: ", nbad - shown);
}

/* The sorted values as one line; within a pixel column only the first and
 * last point are kept, which for sorted data loses nothing visible. */
static void svg_dist_line(struct strbuf *out, const struct svg_rank *r, size_t m,
			  const struct svg_axis *xa, const struct svg_axis *ya)
{
	strbuf_adds(out, "<path class=\"dist\" d=\"");
	for (size_t k = 0; k < m; k++) {
		double x = svg_pos(xa, (double)k + 1);
		int col = (int)floor(x);
		if (k > 0 && k + 1 < m && (int)floor(svg_pos(xa, (double)k)) == col &&
		    (int)floor(svg_pos(xa, (double)k + 2)) == col)
			continue;
		strbuf_addf(out, "%c%s %s", k ? 'L' : 'M', svg_px(x).s, svg_px(svg_pos(ya, r[k].v)).s);
	}
	strbuf_adds(out, "\" fill=\"none\" stroke=\"" SVG_GOOD "\" stroke-width=\"2\""
		    " stroke-linejoin=\"round\"/>");
}

/* A dot with a tooltip on every bad value, so each can be found by name. */
static void svg_dist_bad(struct strbuf *out, const struct svg_bars *c, const struct svg_rank *r,
			 size_t m, const struct svg_axis *xa, const struct svg_axis *ya)
{
	strbuf_adds(out, "<g class=\"bad\" fill=\"" SVG_BAD "\">");
	for (size_t k = 0; k < m; k++) {
		if (!svg_bar_bad(c, r[k].i))
			continue;
		strbuf_addf(out, "<circle cx=\"%s\" cy=\"%s\" r=\"3.5\">",
			    svg_px(svg_pos(xa, (double)k + 1)).s, svg_px(svg_pos(ya, r[k].v)).s);
		svg_bar_title(out, c, r[k].i);
		strbuf_adds(out, "</circle>");
	}
	strbuf_adds(out, "</g>");
}

#define SVG_HIST_MAX 64

/* Horizontal histogram sharing the y axis, in [x0, x1]. With a threshold,
 * bins are aligned on it so no bin holds values from both sides. */
static void svg_dist_hist(struct strbuf *out, const struct svg_bars *c, const struct svg_rank *r,
			  size_t m, const struct svg_axis *ya, double x0, double x1)
{
	double w = svg_nice_step(ya->hi - ya->lo, (int)((ya->p0 - ya->p1) / 12));
	double org = isfinite(c->thr) ? c->thr : ya->lo;
	double kmin = floor((ya->lo - org) / w + 1e-9);
	size_t cnt[SVG_HIST_MAX] = { 0 }, nb, maxc = 1;

	nb = (size_t)fmax(1, fmin(SVG_HIST_MAX, ceil((ya->hi - org) / w - 1e-9) - kmin));
	for (size_t k = 0; k < m; k++) {
		double b = fmin(fmax(floor((r[k].v - org) / w) - kmin, 0), (double)nb - 1);
		if (++cnt[(size_t)b] > maxc)
			maxc = cnt[(size_t)b];
	}
	strbuf_addf(out, "<g class=\"hist\" font-size=\"10\" fill=\"" SVG_MUTED "\">"
		    "<path class=\"axis\" d=\"M%s %sV%s\" stroke=\"#999999\"/>",
		    svg_px(x0).s, svg_px(ya->p1).s, svg_px(ya->p0).s);
	for (size_t b = 0; b < nb; b++) {
		double e0 = org + (kmin + (double)b) * w, e1 = e0 + w;
		double y0 = svg_pos(ya, fmax(e0, ya->lo)), y1 = svg_pos(ya, fmin(e1, ya->hi));
		double len = fmax(3, (x1 - x0 - 28) * (double)cnt[b] / (double)maxc);
		int bad = isfinite(c->thr) && e1 <= c->thr;
		if (!cnt[b])
			continue;
		strbuf_addf(out, "<rect class=\"bar%s\" x=\"%s\" y=\"%s\" width=\"%s\" height=\"%s\""
			    " fill=\"%s\"><title>%s to %s: %zu</title></rect>", bad ? " bad" : "",
			    svg_px(x0).s, svg_px(y1 + 0.5).s, svg_px(len).s,
			    svg_px(fmax(y0 - y1 - 1, 1)).s, bad ? SVG_BAD : SVG_GOOD,
			    svg_val(e0).s, svg_val(e1).s, cnt[b]);
		strbuf_addf(out, "<text x=\"%s\" y=\"%s\">%zu</text>", svg_px(x0 + len + 3).s,
			    svg_px((y0 + y1) / 2 + 3.5).s, cnt[b]);
	}
	strbuf_addf(out, "<text x=\"%s\" y=\"%s\" text-anchor=\"middle\" font-size=\"11\">count</text></g>",
		    svg_px((x0 + x1) / 2).s, svg_px(ya->p0 + 16).s);
}

static void svg_dist_draw(struct strbuf *out, const struct svg_bars *c)
{
	const struct anvil_svg_axes *ax = c->ax;
	struct svg_axis xa = { 0 }, ya = { 0 };
	struct svg_frame f = { .w = SVG_W, .h = 420 };
	struct strbuf desc = STRBUF_INIT;
	struct svg_hl hl[SVG_MAX_HL] = { 0 };
	size_t m, nhl = svg_bars_hls(c, hl);
	double hlw = svg_hl_w(hl, nhl, ax->y_unit), hx1 = f.w - (nhl ? 8 + hlw : 20);
	struct svg_rank *r = svg_rank(c, &m);

	if (!m) {
		free(r);
		svg_empty(out, ax->title, "bar-chart distribution");
		return;
	}
	svg_bars_extent(c, &ya, 0); /* zoomed: the spread matters, not the height */
	f.t = ax->title && *ax->title ? 62 : 34;
	f.b = f.h - 72;
	f.l = 30 + svg_ticks_w(&ya, 11) + 8;
	f.r = hx1 - 130; /* the histogram's room */
	ya.p0 = f.b, ya.p1 = f.t;
	xa.lo = 1, xa.hi = (double)m, xa.div = 1, xa.p0 = f.l + 4, xa.p1 = f.r - 4;
	svg_pad_domain(&xa);
	svg_ticks_lin(&xa, 6, 0);
	svg_bars_desc(&desc, c, "values");
	svg_open(out, f.w, f.h, "bar-chart distribution", svg_or(ax->title, "distribution"),
		 strbuf_str(&desc));
	strbuf_release(&desc);
	svg_title(out, ax->title, f.w);
	strbuf_addf(out, "<text class=\"summary\" x=\"12\" y=\"%s\" font-size=\"12\" fill=\"" SVG_MUTED "\">",
		    svg_px(f.t - 18).s);
	svg_dist_summary(out, c, r, m);
	strbuf_adds(out, "</text>");
	svg_grid(out, &f, &xa, &ya);
	svg_x_title(out, &f, f.b + 36, "rank, lowest first", NULL);
	svg_y_title(out, &f, ax->y_label, ax->y_unit);
	svg_dist_line(out, r, m, &xa, &ya);
	svg_dist_bad(out, c, r, m, &xa, &ya);
	svg_dist_hist(out, c, r, m, &ya, f.r + 20, hx1);
	svg_hl_draw(out, hl, nhl, &ya, f.l, hx1, hx1 + 8, f.b, ax->y_unit);
	strbuf_addf(out, "<text class=\"bad-list\" x=\"12\" y=\"%s\" font-size=\"11\" fill=\"" SVG_BAD "\">",
		    svg_px(f.h - 10).s);
	svg_dist_worst(out, c, r, m, f.w - 24);
	strbuf_adds(out, "</text></svg>\n");
	free(r);
}

void anvil_svg_bar_chart(struct strbuf *out, const struct anvil_svg_axes *ax,
			 const struct anvil_svg_bar *bars, size_t n,
			 double threshold, const char *threshold_label)
{
	struct svg_bars c = { .ax = ax, .bars = bars, .n = n, .thr = threshold,
			       .thr_label = threshold_label };

	if (!n || !bars)
		svg_empty(out, ax->title, "bar-chart");
	else if (n > ANVIL_SVG_MAX_BARS)
		svg_dist_draw(out, &c);
	else
		svg_bars_draw(out, &c);
}

/* ---- heatmap ----------------------------------------------------------------- */

struct svg_heat {
	const char *title;
	const char *const *labels;
	size_t n;
	const double *value;
	const unsigned char *bad;
	const char *unit;
	size_t blk;             /* matrix cells per drawn cell side */
	size_t g;               /* drawn cells per side */
	double c;               /* drawn cell side, px */
	double fs;              /* label font size */
	double lo, hi;          /* colour scale */
	double gx, gy;          /* grid corner */
	size_t step;            /* every step-th row and column is named */
	size_t strip;           /* bytes of shared domain left off the names */
	int dec;                /* decimals of the values written in cells */
	int any_nan, any_bad;
};

/* A drawn cell: the minimum over its block, since the slowest link is the
 * one an acceptance test looks for; *bad when any cell in it is bad. */
static double svg_heat_cell(const struct svg_heat *h, size_t gr, size_t gc, int *bad)
{
	double v = NAN;

	*bad = 0;
	for (size_t r = gr * h->blk; r < (gr + 1) * h->blk && r < h->n; r++)
		for (size_t c = gc * h->blk; c < (gc + 1) * h->blk && c < h->n; c++) {
			double x = h->value[r * h->n + c];
			if (isfinite(x) && !(x >= v))
				v = x; /* also replaces the initial NaN */
			*bad |= h->bad && h->bad[r * h->n + c];
		}
	return v;
}

static int svg_heat_level(const struct svg_heat *h, double v)
{
	int k;

	if (h->hi <= h->lo)
		return SVG_NLEVELS - 1; /* all equal: all as good as the best */
	k = (int)((v / 2 - h->lo / 2) / (h->hi / 2 - h->lo / 2) * SVG_NLEVELS); /* halves: no inf - inf */
	return k < 0 ? 0 : k >= SVG_NLEVELS ? SVG_NLEVELS - 1 : k;
}

/* Row or column i's name; the index when the caller gave none. */
static const char *svg_heat_name(const struct svg_heat *h, size_t i, struct svg_n *buf)
{
	if (h->labels && h->labels[i])
		return h->labels[i];
	anvil_fmt(buf->s, sizeof(buf->s), "%zu", i);
	return buf->s;
}

/* Returns 0 when no cell has a finite value. */
static int svg_heat_scan(struct svg_heat *h)
{
	int any = 0;

	h->any_nan = h->any_bad = 0;
	for (size_t i = 0; i < h->n * h->n; i++) {
		double v = h->value[i];
		h->any_bad |= h->bad && h->bad[i];
		if (!isfinite(v)) {
			h->any_nan = 1;
			continue;
		}
		h->lo = any ? fmin(h->lo, v) : v;
		h->hi = any ? fmax(h->hi, v) : v;
		any = 1;
	}
	return any;
}

static double svg_heat_names_w(const struct svg_heat *h)
{
	struct svg_n buf;
	double w = 0;

	for (size_t i = 0; i < h->n; i += h->step)
		w = fmax(w, svg_label_w(svg_heat_name(h, i, &buf), h->strip, SVG_LABEL_CP, h->fs));
	return w;
}

/* Cell size and naming: every row named up to ANVIL_SVG_MAX_HEAT_LABELS,
 * then a name every "nice" number of rows. */
static void svg_heat_layout(struct svg_heat *h, struct svg_frame *f, struct svg_xlabels *xl)
{
	double namew, legend_h = 18 + 200 + 16 + (h->any_nan ? 20 : 0) + (h->any_bad ? 20 : 0);

	h->blk = h->n > SVG_HEAT_GRID ? (h->n + SVG_HEAT_GRID - 1) / SVG_HEAT_GRID : 1;
	h->g = (h->n + h->blk - 1) / h->blk;
	if (h->n <= ANVIL_SVG_MAX_HEAT_LABELS) {
		h->c = fmin(40, fmax(10, floor(560.0 / (double)h->n)));
		h->fs = fmin(11, h->c * 0.85);
		h->step = 1;
	} else {
		h->c = floor(512.0 / (double)h->g); /* whole px: no seams between rows */
		h->fs = 10;
		h->step = (size_t)svg_nice_step((double)h->n, 8);
	}
	h->strip = h->labels ? svg_domain_suffix(h->labels, h->n) : 0;
	/* one precision for all cells, 3 digits for the largest */
	h->dec = (int)fmax(0, 2 - floor(log10(fmax(fmax(fabs(h->lo), fabs(h->hi)), 1e-9))));
	h->dec = h->dec > 6 ? 6 : h->dec;
	namew = svg_heat_names_w(h);
	h->gx = round(16 + namew + 8);
	h->gy = h->title && *h->title ? 48 : 16;
	svg_xlabels_fit(xl, h->c * (double)h->step / (double)h->blk, namew, h->fs);
	f->l = h->gx, f->t = h->gy;
	f->r = h->gx + h->c * (double)h->g;
	f->b = h->gy + h->c * (double)h->g;
	f->w = fmax(f->r + 24 + 110, 360);
	f->h = fmax(f->b + xl->height + (h->blk > 1 || h->strip ? 24 : 8), h->gy + legend_h) + 8;
}

/* "node01 → node02: 23.5 GB/s", the tooltip of one cell. */
static void svg_heat_tip(struct strbuf *out, const struct svg_heat *h, size_t r, size_t c, double v)
{
	struct svg_n b1, b2;

	strbuf_adds(out, "<title>");
	svg_text(out, svg_heat_name(h, r, &b1), 0);
	strbuf_adds(out, " " SVG_ARROW " ");
	svg_text(out, svg_heat_name(h, c, &b2), 0);
	strbuf_addf(out, ": %s", isfinite(v) ? svg_val(v).s : "no data");
	if (isfinite(v) && h->unit && *h->unit) {
		strbuf_addch(out, ' ');
		svg_text(out, h->unit, 0);
	}
	if (h->bad && h->bad[r * h->n + c])
		strbuf_adds(out, ", flagged");
	strbuf_adds(out, "</title>");
}

static void svg_heat_rect_open(struct strbuf *out, const struct svg_heat *h, double x, double y,
			       double w, double v)
{
	int k = isfinite(v) ? svg_heat_level(h, v) : -1;
	double gap = 1; /* a white grid between cells */

	if (k < 0)
		strbuf_adds(out, "<rect class=\"cell nodata\" fill=\"#eeeeee\"");
	else
		strbuf_addf(out, "<rect class=\"cell h%d\" fill=\"%s\"", k, svg_heat_color[k]);
	strbuf_addf(out, " x=\"%s\" y=\"%s\" width=\"%s\" height=\"%s\"", svg_px(x).s, svg_px(y).s,
		    svg_px(w - gap).s, svg_px(h->c - gap).s);
}

/* Small matrices: one rect per cell with its tooltip, values in big cells. */
static void svg_heat_cells(struct strbuf *out, const struct svg_heat *h)
{
	int values = h->c >= 36;

	for (size_t r = 0; r < h->n; r++)
		for (size_t c = 0; c < h->n; c++) {
			double v = h->value[r * h->n + c];
			double x = h->gx + h->c * (double)c, y = h->gy + h->c * (double)r;
			svg_heat_rect_open(out, h, x, y, h->c, v);
			strbuf_adds(out, ">");
			svg_heat_tip(out, h, r, c, v);
			strbuf_adds(out, "</rect>");
			if (values && isfinite(v)) /* light words on the dark half */
				strbuf_addf(out, "<text class=\"cell-value%s\" x=\"%s\" y=\"%s\""
					    " text-anchor=\"middle\" font-size=\"10\" fill=\"%s\""
					    " pointer-events=\"none\">%s</text>",
					    svg_heat_level(h, v) < 5 ? " inv" : "",
					    svg_px(x + h->c / 2 - 0.5).s, svg_px(y + h->c / 2 + 3).s,
					    svg_heat_level(h, v) < 5 ? "#ffffff" : "#111111",
					    svg_fixed(v, h->dec).s);
		}
}

/* One path per colour, a subpath per run of that colour in a row: a 512 x
 * 512 matrix of noise stays a few hundred kB, a uniform one a few kB. */
static void svg_heat_level_path(struct strbuf *out, const struct svg_heat *h,
				const signed char *lv, int k)
{
	int any = 0;

	for (size_t r = 0; r < h->g; r++)
		for (size_t c = 0, end; c < h->g; c = end) {
			for (end = c + 1; end < h->g && lv[r * h->g + end] == lv[r * h->g + c]; end++)
				;
			if (lv[r * h->g + c] != k)
				continue;
			if (!any++) {
				if (k < 0)
					strbuf_adds(out, "<path class=\"cell nodata\" fill=\"#eeeeee\" d=\"");
				else
					strbuf_addf(out, "<path class=\"cell h%d\" fill=\"%s\" d=\"", k,
						    svg_heat_color[k]);
			}
			strbuf_addf(out, "M%s %sh%sv%sH%sz", svg_px(h->gx + h->c * (double)c).s,
				    svg_px(h->gy + h->c * (double)r).s, svg_px(h->c * (double)(end - c)).s,
				    svg_px(h->c).s, svg_px(h->gx + h->c * (double)c).s);
		}
	if (any)
		strbuf_adds(out, "\"/>");
}

static void svg_heat_runs(struct strbuf *out, const struct svg_heat *h)
{
	signed char *lv = svg_xmalloc(h->g * h->g);
	int bad;

	for (size_t r = 0; r < h->g; r++)
		for (size_t c = 0; c < h->g; c++) {
			double v = svg_heat_cell(h, r, c, &bad);
			lv[r * h->g + c] = (signed char)(isfinite(v) ? svg_heat_level(h, v) : -1);
		}
	for (int k = -1; k < SVG_NLEVELS; k++)
		svg_heat_level_path(out, h, lv, k);
	free(lv);
}

/* Red outlines on bad cells, at least 6 px so one link in 512 is seen. */
static void svg_heat_bad(struct strbuf *out, const struct svg_heat *h)
{
	double s = fmax(h->c - 2, 6);

	if (!h->any_bad)
		return;
	strbuf_adds(out, "<g class=\"cell-bad\" fill=\"none\" stroke=\"" SVG_BAD "\""
		    " stroke-width=\"2\" pointer-events=\"none\">");
	for (size_t r = 0; r < h->g; r++)
		for (size_t c = 0; c < h->g; c++) {
			int bad;
			svg_heat_cell(h, r, c, &bad);
			if (!bad)
				continue;
			strbuf_addf(out, "<rect x=\"%s\" y=\"%s\" width=\"%s\" height=\"%s\"/>",
				    svg_px(h->gx + h->c * ((double)c + 0.5) - s / 2).s,
				    svg_px(h->gy + h->c * ((double)r + 0.5) - s / 2).s,
				    svg_px(s - (h->blk == 1 && h->c >= 10 ? 1 : 0)).s, svg_px(s).s);
		}
	strbuf_adds(out, "</g>");
}

/* Row names at the left, column names below, every h->step-th. */
static void svg_heat_names(struct strbuf *out, const struct svg_heat *h,
			   const struct svg_frame *f, const struct svg_xlabels *xl)
{
	struct svg_n buf;
	double cell = h->c / (double)h->blk; /* px per matrix row */

	strbuf_addf(out, "<g class=\"tick\" font-size=\"%s\" fill=\"" SVG_MUTED "\">", svg_px(h->fs).s);
	for (size_t i = 0; i < h->n; i += h->step) {
		strbuf_addf(out, "<text x=\"%s\" y=\"%s\" text-anchor=\"end\">", svg_px(h->gx - 6).s,
			    svg_px(h->gy + cell * ((double)i + 0.5) + h->fs * 0.35).s);
		svg_label(out, svg_heat_name(h, i, &buf), h->strip, SVG_LABEL_CP);
		strbuf_adds(out, "</text>");
	}
	for (size_t i = 0; i < h->n; i += h->step * xl->every) {
		svg_xlabel_open(out, xl, h->gx + cell * ((double)i + 0.5), f->b, 0);
		svg_label(out, svg_heat_name(h, i, &buf), h->strip, SVG_LABEL_CP);
		strbuf_adds(out, "</text>");
	}
	strbuf_adds(out, "</g>");
}

/* A legend swatch with its words, for "no data" and "flagged". */
static void svg_heat_swatch(struct strbuf *out, double x, double y, const char *cls,
			    const char *fill, const char *stroke, const char *words)
{
	strbuf_addf(out, "<rect class=\"%s\" x=\"%s\" y=\"%s\" width=\"14\" height=\"14\" fill=\"%s\"",
		    cls, svg_px(x).s, svg_px(y).s, fill);
	if (stroke)
		strbuf_addf(out, " stroke=\"%s\" stroke-width=\"2\"", stroke);
	strbuf_addf(out, "/><text x=\"%s\" y=\"%s\">%s</text>", svg_px(x + 20).s,
		    svg_px(y + 11).s, words);
}

/* The colour scale, high at the top, with round values beside it. */
static void svg_heat_legend(struct strbuf *out, const struct svg_heat *h, const struct svg_frame *f)
{
	double x = f->r + 24, y = h->gy + 18, bh = 20, y0 = y + bh * SVG_NLEVELS;
	struct svg_axis a = { .lo = h->lo, .hi = h->hi, .div = 1, .p0 = y0, .p1 = y };

	strbuf_addf(out, "<g class=\"legend\" font-size=\"11\" fill=\"" SVG_MUTED "\">"
		    "<text x=\"%s\" y=\"%s\">", svg_px(x).s, svg_px(h->gy + 8).s);
	svg_text(out, h->unit, 16);
	strbuf_adds(out, "</text>");
	for (int k = 0; k < SVG_NLEVELS; k++)
		strbuf_addf(out, "<rect class=\"h%d\" x=\"%s\" y=\"%s\" width=\"14\" height=\"%s\""
			    " fill=\"%s\"/>", k, svg_px(x).s,
			    svg_px(y + bh * (SVG_NLEVELS - 1 - k)).s, svg_px(bh).s, svg_heat_color[k]);
	if (h->hi > h->lo) {
		svg_ticks_lin(&a, 5, 0);
	} else {
		a.nt = 1, a.t[0] = h->hi;
		a.lo = h->lo - 1; /* puts the one value at the top */
	}
	for (size_t i = 0; i < a.nt; i++) {
		struct svg_n ty = svg_px(svg_pos(&a, a.t[i]));
		strbuf_addf(out, "<path d=\"M%s %sh4\" stroke=\"#999999\"/><text x=\"%s\" y=\"%s\">%s</text>",
			    svg_px(x + 14).s, ty.s, svg_px(x + 22).s,
			    svg_px(svg_pos(&a, a.t[i]) + 4).s, svg_si(a.t[i]).s);
	}
	y = y0 + 16;
	if (h->any_nan)
		svg_heat_swatch(out, x, y, "nodata", "#eeeeee", NULL, "no data"), y += 20;
	if (h->any_bad)
		svg_heat_swatch(out, x, y, "cell-bad", "none", SVG_BAD, "flagged");
	strbuf_adds(out, "</g>");
}

/* What the picture leaves out: the block size, the shared domain. */
static void svg_heat_note(struct strbuf *out, const struct svg_heat *h, const struct svg_frame *f)
{
	struct strbuf t = STRBUF_INIT;

	if (h->blk > 1)
		strbuf_addf(&t, "each cell: minimum of a %zu \xc3\x97 %zu block", h->blk, h->blk);
	if (h->strip) {
		const char *l0 = h->labels[0];
		strbuf_addf(&t, "%snames end in %s", t.len ? " \xc2\xb7 " : "", l0 + strlen(l0) - h->strip);
	}
	if (t.len) {
		strbuf_addf(out, "<text class=\"note\" x=\"%s\" y=\"%s\" font-size=\"11\" fill=\"" SVG_MUTED "\">",
			    svg_px(12).s, svg_px(f->h - 10).s);
		svg_text(out, t.buf, 0);
		strbuf_adds(out, "</text>");
	}
	strbuf_release(&t);
}

static void svg_heat_desc(struct strbuf *d, const struct svg_heat *h)
{
	size_t nbad = 0;

	for (size_t i = 0; h->bad && i < h->n * h->n; i++)
		nbad += h->bad[i] != 0;
	strbuf_addf(d, "%zu x %zu matrix; min %s, max %s %s; %zu flagged cells", h->n, h->n,
		    svg_val(h->lo).s, svg_val(h->hi).s, svg_or(h->unit, ""), nbad);
	if (h->blk > 1)
		strbuf_addf(d, "; each cell shows the minimum of a %zu x %zu block", h->blk, h->blk);
}

void anvil_svg_heatmap(struct strbuf *out, const char *title,
		       const char *const *labels, size_t n,
		       const double *value, const unsigned char *bad,
		       const char *unit)
{
	struct svg_heat h = {
		.title = title, .labels = labels, .n = n, .value = value, .bad = bad, .unit = unit,
	};
	struct svg_frame f;
	struct svg_xlabels xl;
	struct strbuf desc = STRBUF_INIT;

	if (!n || !value || !svg_heat_scan(&h)) {
		svg_empty(out, title, "heatmap");
		return;
	}
	svg_heat_layout(&h, &f, &xl);
	svg_heat_desc(&desc, &h);
	svg_open(out, f.w, f.h, "heatmap", svg_or(title, "heatmap"), strbuf_str(&desc));
	strbuf_release(&desc);
	svg_title(out, title, f.w);
	strbuf_adds(out, "<g class=\"cells\" shape-rendering=\"crispEdges\">");
	if (h.blk == 1 && n <= ANVIL_SVG_MAX_HEAT_LABELS)
		svg_heat_cells(out, &h);
	else
		svg_heat_runs(out, &h);
	strbuf_adds(out, "</g>");
	svg_heat_bad(out, &h);
	svg_heat_names(out, &h, &f, &xl);
	svg_heat_legend(out, &h, &f);
	svg_heat_note(out, &h, &f);
	strbuf_adds(out, "</svg>\n");
}
