"""HTML shapes: a personal fiction site page and a saved LiveJournal entry.

``site-html`` is encoded cp1252 while its ``<meta>`` declares iso-8859-1, the most
common lie on the old web: curly quotes and dashes arrive as bytes 0x91-0x97, which
ISO-8859-1 maps to C1 control characters.  ``livejournal-html`` is honest UTF-8.
"""

from __future__ import annotations

import html
import random
import re
from datetime import datetime

from benchmarks.quality.corpus import Break, GoldStory, Heading, Para
from benchmarks.quality.header import EMAIL, Field, header_fields, rng_for

# -- site-html ------------------------------------------------------------------------
_OLD_TAGS = {"em": "i", "strong": "b"}
_OLD_TAG = re.compile(r"<(/?)(em|strong)\b([^>]*)>", re.IGNORECASE)

FONTS = ("Verdana, Arial, Helvetica", "Times New Roman", "Georgia, Times", "Arial")
COLOURS = (
    ('bgcolor="#000033" text="#CCCCFF" link="#FF99CC" vlink="#9999FF"'),
    ('bgcolor="#FFFFFF" text="#000000" link="#660000" vlink="#336633"'),
    ('bgcolor="#330000" text="#FFFFCC" link="#FFCC66" vlink="#CC9966"'),
    ('background="parchment.jpg" text="#000000"'),
)
PAGE_TITLES = ("{title}", "{title} by {author}", "{author}'s fiction: {title}", "Fiction")
COUNTERS = (
    '<img src="/cgi-bin/Count.cgi?df=fic{n}.dat" alt="hit counter"> visitors since 2001',
    'You are visitor number <img src="http://www.digits.com/wc/-d/6/fic{n}" alt="counter">',
    '<font size="1">[ {n} hits ]</font>',
)


def old_markup(fragment: str) -> str:
    """``<em>``/``<strong>`` as an old editor wrote them: ``<i>``/``<b>``."""
    return _OLD_TAG.sub(lambda m: f"<{m.group(1)}{_OLD_TAGS[m.group(2).lower()]}>", fragment)


def _nav(rng: random.Random) -> str:
    links = ['<a href="../index.html">Home</a>', '<a href="index.html">Back to Fiction</a>']
    if rng.random() < 0.5:
        links.append('<a href="../links.html">Links</a>')
    return "<center>" + " | ".join(links) + "</center>"


def _site_header(fields: list[Field], rng: random.Random) -> list[str]:
    title = fields[0].html
    author = next(f for f in fields if f.key == "author")
    byline = rng.choice(
        (
            f"by {author.html}",
            f'by <a href="mailto:{EMAIL}">antennapedia</a>',
            f"<i>by {author.html}</i>",
        )
    )
    size = rng.choice(("+2", "+1", "5"))
    lines = [f'<center><b><font size="{size}">{title}</font></b><br>', byline, "</center>", "<br>"]
    for f in fields[1:]:
        if f.key == "author":
            continue
        lines.append(f"<b>{f.label}:</b> {f.html}<br>")
    return lines


def _site_block(block: Para | Heading | Break, style: dict[str, str]) -> str:
    if isinstance(block, Break):
        return style["divider"]
    if isinstance(block, Heading):
        return style["heading"].format(html.escape(block.text, quote=False))
    return style["para"].format(old_markup(block.html))


def _site_style(rng: random.Random) -> dict[str, str]:
    divider = rng.choice(
        (
            '<center><img src="divider.gif" width="400" height="12"></center>',
            '<p align="center"><img src="images/line.gif" alt="* * *"></p>',
            '<br><center><img src="../graphics/bar_rose.gif" alt="----"></center><br>',
        )
    )
    heading = rng.choice(
        (
            "<center><b>{}</b></center>",
            '<h3 align="center">{}</h3>',
            '<p><font size="+1"><b><u>{}</u></b></font></p>',
        )
    )
    para = rng.choice(("{}<br><br>", "<p>{}", '<p align="justify">{}</p>', "<p>{}</p>"))
    return {"divider": divider, "heading": heading, "para": para}


def site_html(story: GoldStory) -> bytes:
    """The ``site-html`` shape, cp1252 bytes under an iso-8859-1 declaration."""
    rng = rng_for(story.name, "site-html")
    fields = header_fields(story, rng)
    style = _site_style(rng)
    page_title = rng.choice(PAGE_TITLES).format(title=story.title, author=story.author)
    table = rng.random() < 0.5
    out = [
        '<html>\n<head>\n<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">',
        f"<title>{html.escape(page_title, quote=False)}</title>\n</head>",
        f"<body {rng.choice(COLOURS)}>",
        f'<font face="{rng.choice(FONTS)}" size="{rng.choice(("2", "3"))}">',
        _nav(rng),
        "<br>",
    ]
    if table:
        out.append('<table width="80%" align="center" cellpadding="10"><tr><td>')
    out += _site_header(fields, rng)
    out.append(style["divider"])
    out += [_site_block(b, style) for b in story.blocks]
    if rng.random() < 0.5:
        out.append(f"<center><b>{rng.choice(('The End', 'THE END', '~ End ~'))}</b></center>")
    if table:
        out.append("</td></tr></table>")
    out += _site_footer(rng)
    return "\n".join(out).encode("cp1252", errors="xmlcharrefreplace")


def _site_footer(rng: random.Random) -> list[str]:
    feedback = rng.choice(
        (
            f'Feedback is always welcome: <a href="mailto:{EMAIL}">{EMAIL}</a>',
            f'Liked it? Hated it? <a href="mailto:{EMAIL}">Let me know!</a>',
            f'<a href="mailto:{EMAIL}">Send feedback</a>',
        )
    )
    counter = rng.choice(COUNTERS).format(n=rng.randint(100, 99999))
    return [
        '<br><center><img src="divider.gif" width="400" height="12"></center><br>',
        f"<center>{feedback}</center>",
        "<br>",
        _nav(rng),
        f"<center>{counter}</center>",
        "</font>\n</body>\n</html>",
    ]


# -- livejournal-html ----------------------------------------------------------------
MOODS = ("accomplished", "tired", "giddy", "contemplative", "cheerful", "nervous")
MUSIC = (
    "Wolf Parade - I'll Believe in Anything",
    "The Decemberists - The Crane Wife 3",
    "Neko Case - Hold On, Hold On",
    "Bach - Goldberg Variations",
)
COMMENTS = (
    "Oh, I loved this! Thank you for writing it.",
    "*happy sigh* This is exactly what I needed today.",
    "Lovely. The ending got me.",
    "Adding this to my memories. More, please?",
)
LJ_USER = (
    '<span class="ljuser" style="white-space: nowrap;"><a href="http://{u}.livejournal.com/'
    'profile"><img src="http://stat.livejournal.com/img/userinfo.gif" alt="[info]" width="17" '
    'height="17" style="vertical-align: bottom; border: 0;" /></a><a href="http://{u}.'
    'livejournal.com/"><b>{u}</b></a></span>'
)


def lj_name(story: GoldStory) -> str:
    """A saved entry page is named by its post number: ``28577.html``."""
    match = re.search(r"/(\d+)\.html", story.altlink)
    return f"{match.group(1)}.html" if match else f"{story.name.rsplit('.', 1)[0]}.html"


def _lj_subject(story: GoldStory, fields: list[Field], rng: random.Random) -> str:
    rating = next(f.text for f in fields if f.key == "rating")
    pairing = next((f.text for f in fields if f.key == "pairing"), "gen")
    return rng.choice(
        (
            "Fic: {t} ({p}, {r})",
            "{t}",
            "fic: {t}",
            "New fic: {t} ({p})",
            "{t} ({p}, {r})",
        )
    ).format(t=story.title, p=pairing, r=rating)


def _lj_header(fields: list[Field], rng: random.Random) -> list[str]:
    lines = []
    for f in fields:
        if f.key == "author":
            if rng.random() < 0.5:
                continue  # the poster is the author; many headers never say so
            value = LJ_USER.format(u="antennapedia")
        else:
            value = f.html
        lines.append(f"<b>{f.label}:</b> {value}<br />")
    return lines


def _lj_body(story: GoldStory, rng: random.Random) -> list[str]:
    brk = rng.choice(("<hr />", '<div align="center">* * *</div>', '<p align="center">* * *</p>'))
    heading = rng.choice(("<h3>{}</h3>", "<b><u>{}</u></b><br /><br />", "<p><b>{}</b></p>"))
    para = rng.choice(("<p>{}</p>", "{}<br /><br />"))
    out = []
    for block in story.blocks:
        if isinstance(block, Break):
            out.append(brk)
        elif isinstance(block, Heading):
            out.append(heading.format(html.escape(block.text, quote=False)))
        else:
            out.append(para.format(block.html))
    return out


def _lj_cut(rng: random.Random) -> tuple[str, str]:
    if rng.random() < 0.5:
        return '<a name="cutid1"></a>', ""
    text = rng.choice(("Read on...", "Click for fic", "Under the cut"))
    return f'<lj-cut text="{text}">', "</lj-cut>"


def _lj_date(story: GoldStory) -> str:
    try:
        when = datetime.fromisoformat(story.published)
    except ValueError:
        return story.published
    return when.strftime("%B %d, %Y, %I:%M %p").replace(" 0", " ")


def _lj_footer(story: GoldStory, url: str, rng: random.Random) -> list[str]:
    tags = ", ".join(
        f'<a rel="tag" href="http://antennapedia.livejournal.com/tag/{html.escape(t)}">'
        f"{html.escape(t)}</a>"
        for t in ("fic", *story.tags[:6])
    )
    mood = rng.choice(MOODS)
    out = [
        '<div class="entryFooter">',
        f'<b>Current Mood:</b> <img src="http://stat.livejournal.com/img/mood/{mood}.gif" /> '
        f"{mood}<br />",
        f"<b>Current Music:</b> {html.escape(rng.choice(MUSIC))}<br />",
        f"<b>Tags:</b> {tags}",
        "</div>",
        f'<div class="comments"><a href="{url}?mode=reply">Leave a comment</a> | '
        f'<a href="{url}#comments">{rng.randint(3, 40)} comments</a> | '
        f'<a href="{url}">Link</a> | <a href="#">Share</a></div>',
    ]
    for i in range(rng.randint(0, 3)):
        out += [
            f'<div class="comment" id="t{1000 + i}">',
            f"{LJ_USER.format(u=rng.choice(('reader_one', 'sunnydale_sky', 'tweedlover')))} wrote:",
            f"<p>{html.escape(rng.choice(COMMENTS))}</p>",
            f'<a href="{url}?replyto={1000 + i}">Reply</a> | <a href="{url}?thread={1000 + i}">'
            "Thread</a>",
            "</div>",
        ]
    return out


def livejournal_html(story: GoldStory) -> bytes:
    """The ``livejournal-html`` shape: a saved entry page in UTF-8."""
    rng = rng_for(story.name, "livejournal-html")
    fields = header_fields(story, rng)
    subject = html.escape(_lj_subject(story, fields, rng), quote=False)
    url = f"http://antennapedia.livejournal.com/{lj_name(story)}"
    cut_open, cut_close = _lj_cut(rng)
    out = [
        '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
        '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">',
        '<html xmlns="http://www.w3.org/1999/xhtml"><head>',
        '<meta http-equiv="Content-Type" content="text/html; charset=utf-8" />',
        f"<title>antennapedia: {subject}</title>",
        "</head><body>",
        '<div id="header"><h1><a href="http://antennapedia.livejournal.com/">antennapedia</a></h1>',
        '<a href="http://antennapedia.livejournal.com/">Recent Entries</a> | <a href="http://'
        'antennapedia.livejournal.com/calendar">Archive</a> | <a href="http://antennapedia.'
        'livejournal.com/friends">Friends</a> | <a href="http://antennapedia.livejournal.com/'
        'profile">User Info</a></div>',
        '<div class="entry">',
        f'<div class="entryHeader"><span class="date">{_lj_date(story)}</span>',
        f'<h3 class="entry-title"><a href="{url}">{subject}</a></h3></div>',
        '<div class="entry_text">',
        *_lj_header(fields, rng),
        "<br />",
        cut_open,
        *_lj_body(story, rng),
        cut_close,
        "</div>",
        *_lj_footer(story, url, rng),
        "</div>",
        '<div class="navigation"><a href="#">&lt;&lt; Previous Entry</a> | <a href="#">Add to '
        'Memories</a> | <a href="#">Tell a Friend</a> | <a href="#">Next Entry &gt;&gt;</a></div>',
        "</body></html>",
    ]
    return "\n".join(out).encode("utf-8")
