// The print button is shown only where a script can open the print dialog; without one, the page
// says how to print from the browser.
document.querySelectorAll("[data-print]").forEach((item) => {
  item.hidden = false;
  item.querySelector("button").addEventListener("click", () => window.print());
});
