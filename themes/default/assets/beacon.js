// Kawaraban's view beacon, on article pages of sites served through a CDN
// (`serve --behind-cdn`): one POST to /_kw/view per view of the page, with
// the article, the page's referrer and its query string. No cookie is set
// and nothing identifies the reader; a prerendered page counts only once
// it is shown.
(function () {
  "use strict";
  var script = document.currentScript;
  var article = script && script.getAttribute("data-article");
  if (!article) return;
  var sent = false;
  function send() {
    if (sent) return;
    sent = true;
    var body = "a=" + encodeURIComponent(article) +
      "&r=" + encodeURIComponent(document.referrer || "") +
      "&q=" + encodeURIComponent(location.search.slice(1));
    var url = "/_kw/view";
    var type = "application/x-www-form-urlencoded";
    try {
      if (navigator.sendBeacon && navigator.sendBeacon(url, new Blob([body], { type: type }))) return;
    } catch (e) { /* fall back below */ }
    if (window.fetch) {
      fetch(url, { method: "POST", body: body, keepalive: true, credentials: "same-origin", headers: { "Content-Type": type } }).catch(function () {});
    } else {
      var x = new XMLHttpRequest();
      x.open("POST", url, true);
      x.setRequestHeader("Content-Type", type);
      x.send(body);
    }
  }
  if (document.prerendering) {
    document.addEventListener("prerenderingchange", send, { once: true });
  } else {
    send();
  }
})();
