"""Pages as the Wayback Machine replays them, for the tests of `rescue.decoding.wayback`.

There is no network here to save real pages from web.archive.org, so these functions do
to a page what the Wayback Machine does when it replays a capture, following the markup
it serves (the replay include at the top of the head, the toolbar after ``<body>``, every
link rewritten through ``/web/TIMESTAMP/``, the closing comments), in three forms users
meet: the page as served today (what "Save Page As…, HTML only" keeps), the same page
saved "complete" by a browser (its DOM, scripts saved beside it, links absolute, the
saved-from comment), and a replay of the 2000s (links absolute, the ``sWayBackCGI``
script appended after the page).
"""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import urljoin

TAB = "\t"
_LINK = re.compile(r"""\b(href|src|background)\s*=\s*(["'])([^"']*)\2""", re.I)


def _long(ts: str) -> str:
    return datetime.strptime(ts, "%Y%m%d%H%M%S").strftime("%H:%M:%S %b %d, %Y")


def _rewrite(page: str, url: str, ts: str, prefix: str) -> str:
    def one(found: re.Match[str]) -> str:
        attr, quote, value = found[1], found[2], found[3]
        if value.startswith(("mailto:", "javascript:", "#")):
            return found[0]
        flag = "im_" if attr.lower() in ("src", "background") else ""
        return f"{attr}={quote}{prefix}/web/{ts}{flag}/{urljoin(url, value)}{quote}"

    return _LINK.sub(one, page)


def _head_include(url: str, ts: str, assets: str) -> str:
    # the Archive indents this line with a tab and spaces, as here
    return f"""<script src="//archive.org/includes/athena.js" type="text/javascript"></script>
<script type="text/javascript">window.addEventListener('DOMContentLoaded',function(){{var v=archive_analytics.values;v.service='wb';v.server_name='wwwb-app222.us.archive.org';v.server_ms=157;archive_analytics.send_pageview({{}});}});</script>
<script type="text/javascript" src="{assets}bundle-playback.js?v=HxkREWBo" charset="utf-8"></script>
<script type="text/javascript" src="{assets}wombat.js?v=txqj7nKC" charset="utf-8"></script>
<script>window.RufflePlayer=window.RufflePlayer||{{}};window.RufflePlayer.config={{"autoplay":"on","unmuteOverlay":"hidden"}};</script>
<script type="text/javascript" src="{assets}ruffle.js"></script>
<script type="text/javascript">
    __wm.init("https://web.archive.org/web");
  __wm.wombat("{url}","{ts}","https://web.archive.org/","web","https://web-static.archive.org/_static/",
{TAB}      "1050139800");
</script>
<link rel="stylesheet" type="text/css" href="{assets}banner-styles.css?v=p7PEIJWi" />
<link rel="stylesheet" type="text/css" href="{assets}iconochive.css?v=3PDvdIFv" />
<!-- End Wayback Rewrite JS Include -->
"""  # noqa: E501


def _toolbar(url: str, ts: str, images: str) -> str:
    year = int(ts[:4])
    here = _long(ts)
    return f"""<!-- BEGIN WAYBACK TOOLBAR INSERT -->
<script>__wm.rw(0);</script>
<div id="wm-ipp-base" lang="en" style="display:none;direction:ltr;">
<div id="wm-ipp" style="position:fixed;left:0;top:0;right:0;">
<div id="wm-ipp-inside">
  <div id="wm-logo" style="position:absolute;top:0;left:0;width:110px;height:39px;"><a href="/web/" title="Wayback Machine home page"><img src="{images}wayback-toolbar-logo-200.png" alt="Wayback Machine" style="width:100px" border="0" /></a></div>
  <div class="r" style="display:table-row;">
    <div class="c" style="display:table-cell;vertical-align:top;padding-left:3px;padding-right:3px;">
      <div class="u" style="display:table-row;"><form target="_top" method="get" action="/web/submit" name="wmtb" id="wmtb"><input type="hidden" name="type" value="replay" /><input type="hidden" name="date" value="{ts}" /><input type="text" name="url" id="wmtbURL" value="{url}" style="width:400px;" /><input type="submit" value="Go" /></form></div>
      <div class="n"><table><tbody>
        <tr class="m"><td class="b" nowrap="nowrap">MAR</td><td class="c" id="displayMonthEl" title="You are here: {here}">APR</td><td class="f" nowrap="nowrap">MAY</td></tr>
        <tr class="d"><td class="b" nowrap="nowrap"><img src="{images}wm_tb_prv_on.png" alt="Previous capture" width="14" height="16" border="0" /></td><td class="c" id="displayDayEl" title="You are here: {here}">{int(ts[6:8])}</td><td class="f" nowrap="nowrap"><img src="{images}wm_tb_nxt_off.png" alt="Next capture" width="14" height="16" border="0" /></td></tr>
        <tr class="y"><td class="b" nowrap="nowrap">{year - 1}</td><td class="c" id="displayYearEl" title="You are here: {here}">{year}</td><td class="f" nowrap="nowrap">{year + 1}</td></tr>
      </tbody></table></div>
    </div>
    <div class="s"><div id="wm-nav-captures"><a class="t" href="/web/{ts}*/{url}" title="See a list of every capture for this URL">7 captures</a><div class="r" title="Timespan for captures of this URL">28 Mar {year} - 04 Feb {year + 6}</div></div></div>
  </div>
</div>
<div id="wm-capinfo" style="border-top:1px solid #777;display:none; overflow: hidden">
  <div id="wm-capinfo-collected-by"><div style="background-color:#666;color:#fff;font-weight:bold;text-align:center">COLLECTED BY</div>
  <div style="padding:3px;position:relative" id="wm-collected-by-content">Organization: <a style="color:#33f;" href="https://archive.org/details/alexacrawls" target="_new"><span class="wm-title">Alexa Crawls</span></a>
  <div>Starting in 1996, <a href="http://www.alexa.com/">Alexa Internet</a> has been donating their crawl data to the Internet Archive. Flowing in every day, these data are added to the <a href="http://web.archive.org/">Wayback Machine</a> after an embargo period.</div></div></div>
  <div id="wm-capinfo-timestamps"><div style="background-color:#666;color:#fff;font-weight:bold;text-align:center" title="Timestamps for the elements of this page">TIMESTAMPS</div></div>
</div>
</div></div><div id="wm-ipp-print">The Wayback Machine - https://web.archive.org/web/{ts}/{url}</div>
<script type="text/javascript">//<![CDATA[
__wm.bt(700,27,25,2,"web","{url}","{ts}",1996,"https://web-static.archive.org/_static/",["https://web-static.archive.org/_static/css/banner-styles.css?v=p7PEIJWi","https://web-static.archive.org/_static/css/iconochive.css?v=3PDvdIFv"], false);
  __wm.rw(1);
//]]></script>
<!-- END WAYBACK TOOLBAR INSERT -->
"""  # noqa: E501


def _closing(ts: str) -> str:
    return f"""
<!--
     FILE ARCHIVED ON {_long(ts)} AND RETRIEVED FROM THE
     INTERNET ARCHIVE ON 16:12:34 Nov 30, 2026.
     JAVASCRIPT APPENDED BY WAYBACK MACHINE, COPYRIGHT INTERNET ARCHIVE.

     ALL OTHER CONTENT MAY ALSO BE PROTECTED BY COPYRIGHT (17 U.S.C.
     SECTION 108(a)(3)).
-->
<!--
playback timings (ms):
  captures_list: 0.55
  exclusion.robots: 0.021
  exclusion.robots.policy: 0.011
  esindex: 0.011
  cdx.remote: 21.391
  LoadShardBlock: 104.72 (3)
  PetaboxLoader3.datanode: 139.061 (4)
  load_resource: 180.237
  PetaboxLoader3.resolve: 115.871
-->"""


def _inject(page: str, head: str, toolbar: str) -> str:
    page = re.sub(r"(<head[^>]*>)", lambda m: m[1] + head, page, count=1, flags=re.I)
    return re.sub(r"(<body[^>]*>)", lambda m: m[1] + toolbar, page, count=1, flags=re.I)


def served(page: str, url: str, ts: str) -> str:
    """The page as web.archive.org serves ``/web/TS/URL`` today (and "HTML only" saves)."""
    statics = "https://web-static.archive.org/_static/"
    rewritten = _rewrite(page, url, ts, "")
    body = _inject(rewritten, _head_include(url, ts, statics + "js/"), _toolbar(url, ts, statics))
    return body + _closing(ts)


def saved_complete(page: str, url: str, ts: str, folder: str) -> str:
    """The same replay saved "complete" by a browser: its scripts and stylesheets saved
    beside it in `folder`, its links made absolute, the saved-from comment on top."""
    replay = f"https://web.archive.org/web/{ts}/{url}"
    rewritten = _rewrite(page, url, ts, "https://web.archive.org")
    local = f"./{folder}/"
    body = _inject(rewritten, _head_include(url, ts, local), _toolbar(url, ts, local))
    return f"<!-- saved from url=({len(replay):04d}){replay} -->\n" + body + _closing(ts)


def replayed_2005(page: str, url: str, ts: str) -> str:
    """A replay as the Wayback Machine of the 2000s served it: links absolute through
    ``http://web.archive.org/web/TS/``, its script appended after the page."""
    rewritten = _rewrite(page, url, ts, "http://web.archive.org")
    return rewritten + f"""

<SCRIPT language="Javascript">
<!--

// FILE ARCHIVED ON {ts} AND RETRIEVED FROM THE
// INTERNET ARCHIVE ON 20051203101010.
// JAVASCRIPT APPENDED BY WAYBACK MACHINE, COPYRIGHT INTERNET ARCHIVE.
// ALL OTHER CONTENT MAY ALSO BE PROTECTED BY COPYRIGHT (17 U.S.C.
// SECTION 108(a)(3)).

   var sWayBackCGI = "http://web.archive.org/web/{ts}/";

   function xResolveUrl(url) {{
      var image = new Image();
      image.src = url;
      return image.src;
   }}
   function xLateUrl(aCollection, sProp) {{
      var i = 0;
      for(i = 0; i < aCollection.length; i++) {{
         if (typeof(aCollection[i][sProp]) == "string") {{
          if (aCollection[i][sProp].indexOf("mailto:") == -1 &&
             aCollection[i][sProp].indexOf("javascript:") == -1) {{
            if(aCollection[i][sProp].indexOf("http") == 0) {{
                aCollection[i][sProp] = sWayBackCGI + aCollection[i][sProp];
            }} else {{
                aCollection[i][sProp] = sWayBackCGI + xResolveUrl(aCollection[i][sProp]);
            }}
         }}
         }}
      }}
   }}

   xLateUrl(document.getElementsByTagName("IMG"),"src");
   xLateUrl(document.getElementsByTagName("A"),"href");
   xLateUrl(document.getElementsByTagName("AREA"),"href");
   xLateUrl(document.getElementsByTagName("BODY"),"background");

//-->
</SCRIPT>
"""
