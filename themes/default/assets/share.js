// Share buttons beside the plain share links: the browser's own share
// sheet where it has one, and copying the story's address. Both stay
// hidden without JavaScript (the links work alone).
(function () {
  "use strict";
  var native = document.querySelector(".share-native");
  if (native && navigator.share) {
    native.closest("li").hidden = false;
    native.addEventListener("click", function () {
      var link = document.querySelector("link[rel=canonical]");
      navigator.share({ title: native.getAttribute("data-title"), url: link ? link.href : location.href }).catch(function () {});
    });
  }
  var copy = document.querySelector(".share-copy");
  if (copy && navigator.clipboard && window.isSecureContext !== false) {
    var said = copy.parentNode.querySelector(".share-copied");
    copy.closest("li").hidden = false;
    copy.addEventListener("click", function () {
      navigator.clipboard.writeText(copy.getAttribute("data-url")).then(
        function () { said.textContent = "Link copied"; },
        function () { said.textContent = "Copy the address from the address bar"; }
      );
    });
  }
})();
