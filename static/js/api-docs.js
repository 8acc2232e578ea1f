// Starts Swagger UI on the API documentation page. A file of its own, not a script in the page, so
// the Content-Security-Policy can refuse every inline script. The page gives the schema's address
// and Swagger UI's settings (SPECTACULAR_SETTINGS["SWAGGER_UI_SETTINGS"]) as data attributes.
"use strict";
(() => {
  const root = document.getElementById("swagger-ui");
  if (root === null || typeof SwaggerUIBundle === "undefined") {
    return;
  }
  SwaggerUIBundle({
    url: root.dataset.schemaUrl,
    dom_id: "#swagger-ui",
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    ...JSON.parse(root.dataset.settings || "{}"),
  });

  // Swagger UI leaves a few gaps for keyboards and screen readers: a name on each parameter's
  // input, and keyboard access to the scrolling examples. Filled in as it draws.
  const fillGaps = () => {
    root.querySelectorAll("tr[data-param-name]").forEach((row) => {
      row.querySelectorAll("select:not([aria-label]), input:not([aria-label])").forEach((control) => {
        control.setAttribute("aria-label", row.dataset.paramName);
      });
    });
    root.querySelectorAll("pre:not([tabindex])").forEach((block) => block.setAttribute("tabindex", "0"));
  };
  new MutationObserver(fillGaps).observe(root, {childList: true, subtree: true});
})();
