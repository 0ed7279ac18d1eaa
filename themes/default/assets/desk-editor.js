// The desk's story editor, on top of a form that works without it:
// - a formatting toolbar writing Markdown into the body;
// - a live word count, and a live preview in the site's own template;
// - autosave: every few seconds the fields are kept in this browser
//   (localStorage), so a closed tab or a crash loses nothing; the next
//   visit offers them back until they are saved or discarded;
// - presence: a sign of life to the server every 15 s, which answers who
//   else has the story open and whether someone saved a newer version.
(function () {
  "use strict";
  var form = document.getElementById("story-form");
  if (!form) return;
  var body = document.getElementById("st-body");
  var story = form.getAttribute("data-story") || "new";
  var version = form.getAttribute("data-version") || "";
  var key = "kw-story:" + location.host + ":" + story;
  var csrf = form.querySelector("input[name=csrf]").value;

  // Toolbar -------------------------------------------------------------
  var toolbar = document.querySelector(".editor-toolbar");
  function wrap(before, after, placeholder) {
    var s = body.selectionStart, e = body.selectionEnd;
    var text = body.value.slice(s, e) || placeholder;
    body.setRangeText(before + text + after, s, e, "select");
    body.focus();
    body.dispatchEvent(new Event("input", { bubbles: true }));
  }
  function prefix(mark) {
    var s = body.selectionStart;
    var start = body.value.lastIndexOf("\n", s - 1) + 1;
    body.setRangeText(mark, start, start, "end");
    body.focus();
    body.dispatchEvent(new Event("input", { bubbles: true }));
  }
  var actions = {
    bold: function () { wrap("**", "**", "bold text"); },
    italic: function () { wrap("*", "*", "italic text"); },
    heading: function () { prefix("## "); },
    quote: function () { prefix("> "); },
    list: function () { prefix("- "); },
    numbered: function () { prefix("1. "); },
    link: function () {
      var url = window.prompt("Link address (https://…)");
      if (url) wrap("[", "](" + url + ")", "link text");
    },
    image: function () {
      var url = window.prompt("Image address (from the media library)");
      if (url) wrap("![", "](" + url + ")", "describe the image");
    }
  };
  if (toolbar) {
    toolbar.hidden = false;
    toolbar.addEventListener("click", function (ev) {
      var b = ev.target.closest("button[data-md]");
      if (b && actions[b.getAttribute("data-md")]) actions[b.getAttribute("data-md")]();
    });
  }

  // Word count and live preview -----------------------------------------
  var count = document.getElementById("word-count");
  function words() {
    var text = body.value.replace(/[#>*_`\[\]()!-]/g, " ").trim();
    count.textContent = text ? text.split(/\s+/).length : 0;
  }
  var section = document.querySelector(".live-preview");
  var frame = document.getElementById("live-preview-frame");
  var previewTimer = null;
  function preview() {
    var data = new URLSearchParams(new FormData(form));
    fetch("/desk/stories/preview", { method: "POST", body: data, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) { if (html !== null) { frame.srcdoc = html; section.hidden = false; } })
      .catch(function () {});
  }
  form.addEventListener("input", function () {
    words();
    clearTimeout(previewTimer);
    previewTimer = setTimeout(preview, 1200);
    dirty = true;
  });

  // Autosave and recovery ------------------------------------------------
  var dirty = false;
  var state = document.getElementById("autosave-state");
  function fields() {
    var out = {};
    new FormData(form).forEach(function (v, k) {
      if (k !== "csrf" && k !== "version" && k.indexOf("choose_") !== 0) out[k] = v;
    });
    ["breaking", "featured"].forEach(function (k) { out[k] = form.elements[k].checked ? "on" : ""; });
    return out;
  }
  function keep() {
    if (!dirty) return;
    try {
      localStorage.setItem(key, JSON.stringify({ at: Date.now(), version: version, fields: fields() }));
      dirty = false;
      state.textContent = " · kept in this browser at " + new Date().toLocaleTimeString();
    } catch (e) { /* storage full or off: the form still saves */ }
  }
  setInterval(keep, 3000);
  window.addEventListener("pagehide", keep);
  function fill(saved) {
    Object.keys(saved).forEach(function (k) {
      var el = form.elements[k];
      if (!el) return;
      if (el.type === "checkbox") el.checked = saved[k] === "on";
      else el.value = saved[k];
    });
    words();
  }
  try {
    var kept = JSON.parse(localStorage.getItem(key) || "null");
    var now = fields();
    var differs = kept && Object.keys(kept.fields).some(function (k) { return (now[k] || "") !== (kept.fields[k] || ""); });
    if (kept && differs) {
      var box = document.createElement("div");
      box.className = "recovered";
      box.setAttribute("role", "status");
      box.innerHTML = "<p>Unsaved changes to this story were kept in this browser at " +
        new Date(kept.at).toLocaleString() + ".</p>";
      var restore = document.createElement("button");
      restore.type = "button"; restore.className = "button"; restore.textContent = "Bring them back";
      var discard = document.createElement("button");
      discard.type = "button"; discard.className = "button button-quiet"; discard.textContent = "Discard them";
      restore.addEventListener("click", function () {
        fill(kept.fields);
        // Saved against the version they were typed on: if someone saved
        // since, the server merges the two instead of overwriting theirs.
        if (kept.version && form.elements.version) form.elements.version.value = kept.version;
        dirty = true;
        box.remove();
      });
      discard.addEventListener("click", function () { localStorage.removeItem(key); box.remove(); });
      box.appendChild(restore); box.appendChild(document.createTextNode(" ")); box.appendChild(discard);
      form.parentNode.insertBefore(box, form);
    } else if (kept) {
      localStorage.removeItem(key);
    }
  } catch (e) { /* nothing kept */ }
  form.addEventListener("submit", function (ev) {
    var b = ev.submitter;
    if (b && b.getAttribute("formaction")) return; // the preview: still editing
    if (b && b.value === "unpublish" && !window.confirm("Take this story down? Readers will get “410 Gone”; its history is kept.")) {
      ev.preventDefault();
      return;
    }
    try { localStorage.removeItem(key); } catch (e) {}
    dirty = false;
  });

  // Pasted and dropped images --------------------------------------------
  // Uploaded to the media library; the body gets the image's Markdown, the
  // hero image field its id (and the library's caption, credit and alt
  // where the story has none yet).
  // Uploads say how they went in a line of their own, which the autosave's
  // notes do not replace.
  var uploadNote = document.getElementById("upload-note");
  function note(text) {
    if (!uploadNote) return;
    uploadNote.hidden = false;
    uploadNote.textContent = text;
  }
  function upload(file, then) {
    var data = new FormData();
    data.append("csrf", csrf);
    data.append("file", file, file.name || "pasted-image.png");
    note("Uploading " + (file.name || "the image") + "…");
    fetch("/desk/media", { method: "POST", body: data, headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.json().then(function (j) { return { ok: r.ok, j: j }; }); })
      .then(function (a) {
        if (!a.ok) { note(a.j.error || "The upload was refused."); return; }
        note((a.j.name || "The image") + " is in the media library.");
        then(a.j);
      })
      .catch(function () { note("The upload failed; try again."); });
  }
  function imageFiles(list) {
    return Array.prototype.filter.call(list || [], function (f) { return /^image\//.test(f.type); });
  }
  function droppable(el, use) {
    el.addEventListener("dragover", function (ev) {
      if (ev.dataTransfer && Array.prototype.indexOf.call(ev.dataTransfer.types, "Files") >= 0) {
        ev.preventDefault();
        el.classList.add("editor-drop");
      }
    });
    el.addEventListener("dragleave", function () { el.classList.remove("editor-drop"); });
    el.addEventListener("drop", function (ev) {
      el.classList.remove("editor-drop");
      var files = imageFiles(ev.dataTransfer && ev.dataTransfer.files);
      if (!files.length) return;
      ev.preventDefault();
      files.forEach(function (f) { upload(f, use); });
    });
  }
  // An image goes in at the caret, on a line of its own, and the caret
  // after it: typing on, or the next image, leaves it whole.
  function intoBody(img) {
    var at = body.selectionEnd;
    var lead = at > 0 && body.value.charAt(at - 1) !== "\n" ? "\n" : "";
    body.setRangeText(lead + "![" + (img.alt || "") + "](" + img.src + ")\n", at, at, "end");
    body.focus();
    body.dispatchEvent(new Event("input", { bubbles: true }));
  }
  function asHero(img) {
    form.elements.image.value = img.hash;
    [["image_caption", "caption"], ["image_credit", "credit"], ["image_alt", "alt"]].forEach(function (p) {
      if (!form.elements[p[0]].value) form.elements[p[0]].value = img[p[1]] || "";
    });
    var more = form.querySelector("details.story-more");
    if (more) more.open = true;
    form.dispatchEvent(new Event("input", { bubbles: true }));
  }
  body.addEventListener("paste", function (ev) {
    var files = imageFiles(ev.clipboardData && ev.clipboardData.files);
    if (!files.length) return;
    ev.preventDefault();
    files.forEach(function (f) { upload(f, intoBody); });
  });
  droppable(body, intoBody);
  droppable(form.elements.image, asHero);

  // Presence -------------------------------------------------------------
  var presence = document.getElementById("presence");
  if (story !== "new") {
    setInterval(function () {
      var data = new URLSearchParams({ csrf: csrf });
      fetch("/desk/stories/" + story + "/presence", { method: "POST", body: data, credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (p) {
          if (!p) return;
          var text = p.others.length ? p.others.join(", ") + (p.others.length === 1 ? " is" : " are") + " editing this story now." : "";
          if (String(p.version) !== version) text += " A newer version was saved; when you save, the two are merged.";
          presence.textContent = text.trim();
        })
        .catch(function () {});
    }, 15000);
  }
})();
