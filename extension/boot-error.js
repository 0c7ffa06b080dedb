// The error state of an extension page: shown when the wasm fails to load or a call into it throws,
// so the user sees what happened and can retry instead of a blank frame. Text only, never HTML.
export function showBootError(error, retry) {
  const panel = document.createElement("div");
  panel.className = "pl-boot pl-boot-error";
  panel.setAttribute("role", "alert");
  panel.setAttribute("data-testid", "pl-error");
  const heading = document.createElement("strong");
  heading.textContent = "Pivot Lens could not start";
  const detail = document.createElement("p");
  detail.textContent = String(error?.message ?? error).slice(0, 300);
  const button = document.createElement("button");
  button.type = "button";
  button.textContent = "Retry";
  button.addEventListener("click", retry);
  panel.append(heading, detail, button);
  document.body.replaceChildren(panel);
  button.focus();
}
