// Comments without reloading the page. Every form here works without this
// script (a full-page answer); with it, the same forms are sent with
// `Accept: application/json` and the answer is put in place.
(function () {
  "use strict";

  function countLabel(n) {
    return n + (n === 1 ? " Comment" : " Comments");
  }

  function setCount(n) {
    document.querySelectorAll(".comment-count").forEach(function (el) {
      el.textContent = countLabel(n);
      el.setAttribute("data-count", String(n));
    });
    var empty = document.querySelector(".comments-empty");
    if (empty && n > 0) empty.remove();
  }

  function fragment(html) {
    var t = document.createElement("template");
    t.innerHTML = html;
    return t.content;
  }

  function status(form, text, isError) {
    var el = form.querySelector(".comment-form-status");
    if (!el) return;
    el.textContent = text;
    el.classList.toggle("error", !!isError);
  }

  function send(form) {
    return fetch(form.action, {
      method: "POST",
      headers: { "Accept": "application/json" },
      body: new URLSearchParams(new FormData(form)),
      credentials: "same-origin"
    }).then(function (resp) {
      return resp.json().then(function (data) {
        return { ok: resp.ok, status: resp.status, data: data };
      }, function () {
        return { ok: false, status: resp.status, data: { error: "Something went wrong (" + resp.status + "). Please try again." } };
      });
    });
  }

  // A fresh key for the next comment: the server stores one comment per key.
  function newKey() {
    var a = new Uint8Array(16);
    crypto.getRandomValues(a);
    return Array.prototype.map.call(a, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (!(form instanceof HTMLFormElement)) return;
    if (form.hasAttribute("data-comment-form")) {
      e.preventDefault();
      var button = form.querySelector("button[type=submit]");
      if (button.disabled) return;
      button.disabled = true;
      status(form, "Posting…");
      send(form).then(function (r) {
        button.disabled = false;
        if (r.status === 401 && r.data.login) { window.location.href = r.data.login; return; }
        if (!r.ok) { status(form, r.data.error || "Your comment was not posted.", true); return; }
        var node = fragment(r.data.html);
        if (r.data.parent) {
          var parent = document.getElementById("c" + r.data.parent);
          var replies = parent && parent.querySelector(":scope > .replies");
          if (parent && !replies) {
            replies = document.createElement("div");
            replies.className = "replies";
            parent.appendChild(replies);
          }
          if (replies) replies.appendChild(node);
          var box = form.closest("details");
          if (box) box.open = false;
        } else {
          var list = document.getElementById("comment-list");
          if (list) list.insertBefore(node, list.firstChild);
        }
        form.querySelector("textarea").value = "";
        var key = form.querySelector("input[name=key]");
        if (key) key.value = newKey();
        status(form, r.data.message || "Posted.");
        setCount(r.data.count);
      }, function () {
        button.disabled = false;
        status(form, "We could not reach the site. Check your connection and try again.", true);
      });
    } else if (form.hasAttribute("data-vote")) {
      e.preventDefault();
      var fd = new FormData(form);
      var pressed = e.submitter;
      if (pressed && pressed.name) fd.set(pressed.name, pressed.value);
      fetch(form.action, {
        method: "POST",
        headers: { "Accept": "application/json" },
        body: new URLSearchParams(fd),
        credentials: "same-origin"
      }).then(function (resp) { return resp.json(); }).then(function (data) {
        if (data.error) { alert(data.error); return; }
        form.querySelector(".like .n").textContent = data.likes;
        form.querySelector(".dislike .n").textContent = data.dislikes;
        if (pressed) pressed.setAttribute("aria-pressed", "true");
      });
    } else if (form.hasAttribute("data-delete")) {
      if (!window.confirm("Delete your comment? This cannot be undone.")) e.preventDefault();
    }
  });
})();
