// The reader-survey banner for readers who are not signed in (members get
// theirs from the server). The page is the same cached copy for everyone;
// this script decides, in the browser, whether to show the banner:
// - the reader falls in the survey's share: a random number kept in this
//   browser's localStorage (never sent anywhere), hashed with the survey id
//   so each survey picks its own share, and the same one on every page;
// - the reader has not answered or dismissed this survey, and has not
//   answered or dismissed any survey in the last N days (the `kw_sf`
//   cookie the server sets on answering, and this script on dismissing).
(function () {
  "use strict";
  var banner = document.querySelector(".survey-banner[data-survey][hidden]");
  if (!banner) return;
  var id = banner.getAttribute("data-survey");
  var share = parseInt(banner.getAttribute("data-share"), 10) || 100;
  var rest = parseInt(banner.getAttribute("data-rest"), 10) || 0;

  function reader() {
    var key = "kw-reader";
    try {
      var r = localStorage.getItem(key);
      if (!r) {
        r = String(Math.floor(Math.random() * 1e12));
        localStorage.setItem(key, r);
      }
      return r;
    } catch (e) {
      return String(Math.floor(Math.random() * 1e12));
    }
  }
  // FNV-1a, 32 bits, of "ID:READER", modulo 100 (as the server's
  // `survey::audience::bucket`).
  function bucket(text) {
    var h = 0x811c9dc5;
    for (var i = 0; i < text.length; i++) {
      h ^= text.charCodeAt(i) & 0xff;
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    return h % 100;
  }
  function seen() {
    var m = document.cookie.match(/(?:^|;\s*)kw_sf=(\d+)\.([\d-]*)/);
    if (!m) return { at: 0, ids: [] };
    return { at: parseInt(m[1], 10) * 1000, ids: m[2] ? m[2].split("-") : [] };
  }
  function remember() {
    var s = seen();
    var ids = s.ids.filter(function (x) { return x !== id; });
    ids.push(id);
    var value = Math.floor(Date.now() / 1000) + "." + ids.slice(-20).join("-");
    var secure = location.protocol === "https:" ? "; Secure" : "";
    document.cookie = "kw_sf=" + value + "; Path=/; Max-Age=31536000; SameSite=Lax" + secure;
  }

  var s = seen();
  if (s.ids.indexOf(id) !== -1) return;
  if (rest > 0 && Date.now() - s.at < rest * 86400000) return;
  if (bucket(id + ":" + reader()) >= share) return;
  banner.hidden = false;
  var close = banner.querySelector(".survey-dismiss");
  if (close) {
    close.addEventListener("click", function () {
      remember();
      banner.hidden = true;
    });
  }
})();
