// The Preempt demo page: upload → /v1/robustify?format=json, then "attack both" → /v1/attack twice.
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const state = { input: null, output: null };

  function setStatus(text, kind) {
    const s = $("status");
    s.textContent = text;
    s.className = "status" + (kind ? " " + kind : "");
  }

  function b64ToBlob(b64, type) {
    const bin = atob(b64);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    return new Blob([bytes], { type: type });
  }

  async function post(path, body) {
    const res = await fetch(path, { method: "POST", body: body,
      headers: { "Content-Type": body.type || "application/octet-stream" } });
    const json = await res.json().catch(() => ({ error: "the server answered " + res.status }));
    if (!res.ok) throw new Error(json.error || ("the server answered " + res.status));
    return json;
  }

  function loadImage(src) {
    return new Promise((resolve, reject) => {
      const img = new Image();
      img.onload = () => resolve(img);
      img.onerror = () => reject(new Error("could not show the image"));
      img.src = src;
    });
  }

  function pixels(img) {
    const c = document.createElement("canvas");
    c.width = img.naturalWidth; c.height = img.naturalHeight;
    const g = c.getContext("2d");
    g.drawImage(img, 0, 0);
    return g.getImageData(0, 0, c.width, c.height);
  }

  // photos come at their own size; small ones (e.g. 32×32) are enlarged with sharp pixels
  const PHOTO_VIEWS = ["original", "protected", "diff", "attacked-original", "attacked-protected"];
  function markSmall(img) {
    const small = Math.max(img.naturalWidth, img.naturalHeight) <= 128;
    PHOTO_VIEWS.forEach((id) => $(id).classList.toggle("pixel", small));
  }

  // mid-grey is "unchanged"; the largest change maps to black / white
  async function drawDifference(originalSrc, protectedSrc) {
    const [a, b] = await Promise.all([loadImage(originalSrc), loadImage(protectedSrc)]);
    markSmall(a);
    const pa = pixels(a), pb = pixels(b);
    let maxAbs = 0;
    for (let i = 0; i < pa.data.length; i++) {
      if (i % 4 !== 3) maxAbs = Math.max(maxAbs, Math.abs(pb.data[i] - pa.data[i]));
    }
    const amp = maxAbs > 0 ? 127.5 / maxAbs : 1;
    const canvas = $("diff");
    canvas.width = pa.width; canvas.height = pa.height;
    const g = canvas.getContext("2d");
    const out = g.createImageData(pa.width, pa.height);
    for (let i = 0; i < pa.data.length; i += 4) {
      for (let c = 0; c < 3; c++) {
        const d = pb.data[i + c] - pa.data[i + c];
        out.data[i + c] = Math.max(0, Math.min(255, Math.round(127.5 + d * amp)));
      }
      out.data[i + 3] = 255;
    }
    g.putImageData(out, 0, 0);
    $("amp").textContent = "(amplified ×" + Math.round(amp) + ")";
  }

  async function protect(file) {
    $("result").hidden = true;
    $("attack-result").hidden = true;
    setStatus("Protecting " + (file.name || "the photo") + "…", "busy");
    try {
      const r = await post("/v1/robustify?format=json", file);
      const v = r.verdict;
      state.input = r.input; state.output = r.image;
      const inSrc = "data:image/png;base64," + r.input;
      const outSrc = "data:image/png;base64," + r.image;
      $("original").src = inSrc;
      $("protected").src = outSrc;
      $("label-original").textContent = v.classBefore;
      $("label-protected").textContent = v.classAfter;
      $("linf").textContent = "max change " + Math.round(v.linfDistance * 255) + "/255";
      $("psnr").textContent = isFinite(v.psnr) ? v.psnr.toFixed(1) + " dB" : "∞";
      $("loss").textContent = v.robustLoss.toFixed(3);
      $("lemma").textContent = v.meetsLemma1 ? "met" : "not met";
      $("passes").textContent = v.passes.toLocaleString();
      $("download").href = outSrc;
      $("download").download = (file.name ? file.name.replace(/\.[^.]+$/, "") : "photo") + "-protected.png";
      await drawDifference(inSrc, outSrc);
      $("result").hidden = false;
      setStatus("Protected at " + v.width + "\u00d7" + v.height + ": the model sees \u201c" + v.classAfter
        + "\u201d. Try the attack.");
    } catch (e) {
      setStatus(e.message, "error");
    }
  }

  function showOutcome(id, imgId, a, protectedPhoto) {
    $(imgId).src = "data:image/png;base64," + a.image;
    const el = $(id);
    if (a.changed) {
      el.className = "outcome fooled";
      el.textContent = "Attack succeeded: \u201c" + a.classBefore + "\u201d became \u201c" + a.classAfter + "\u201d";
    } else {
      el.className = "outcome held";
      el.textContent = "Attack failed: still \u201c" + a.classAfter + "\u201d";
    }
    el.dataset.changed = String(a.changed);
    el.dataset.protected = String(protectedPhoto);
  }

  async function attackBoth() {
    const button = $("attack");
    button.disabled = true;
    setStatus("Attacking both photos with the same PGD attack…", "busy");
    try {
      const [onOriginal, onProtected] = await Promise.all([
        post("/v1/attack", b64ToBlob(state.input, "image/png")),
        post("/v1/attack", b64ToBlob(state.output, "image/png"))]);
      showOutcome("outcome-original", "attacked-original", onOriginal, false);
      showOutcome("outcome-protected", "attacked-protected", onProtected, true);
      $("attack-result").hidden = false;
      setStatus("Attack finished.");
    } catch (e) {
      setStatus(e.message, "error");
    } finally {
      button.disabled = false;
    }
  }

  function wireDrop() {
    const drop = $("drop");
    drop.addEventListener("click", (e) => { if (e.target.tagName !== "LABEL" && e.target.tagName !== "INPUT") $("file").click(); });
    drop.addEventListener("keydown", (e) => { if (e.key === "Enter" || e.key === " ") $("file").click(); });
    ["dragenter", "dragover"].forEach((t) => drop.addEventListener(t, (e) => { e.preventDefault(); drop.classList.add("over"); }));
    ["dragleave", "drop"].forEach((t) => drop.addEventListener(t, (e) => { e.preventDefault(); drop.classList.remove("over"); }));
    drop.addEventListener("drop", (e) => { if (e.dataTransfer.files.length) protect(e.dataTransfer.files[0]); });
    $("file").addEventListener("change", (e) => { if (e.target.files.length) protect(e.target.files[0]); });
    $("attack").addEventListener("click", attackBoth);
  }

  async function loadInfo() {
    try {
      const h = await (await fetch("/healthz")).json();
      $("model-info").textContent = "Model: " + h.model + " (" + h.classes.length + " classes, "
        + h.inputShape.slice(1).join("×") + " input) · attacker budget "
        + (h.norm === "linf" ? "L∞ " + Math.round(h.eps * 255) + "/255" : "L2 " + h.eps) + ".";
    } catch (e) {
      $("model-info").textContent = "";
    }
  }

  wireDrop();
  loadInfo();
})();
