// The digit page: draw on a canvas, turn the drawing into an MNIST-like 28x28 image, run the
// exported CNN with onnxruntime-web, show the ten probabilities. Plain JavaScript, no build.
//
// MNIST's digits were scaled to fit a 20x20 box (keeping their aspect ratio), then placed in
// a 28x28 frame with their centre of mass at the centre. `preprocess` does the same to the
// drawing, with plain loops (no canvas resampling, which differs between browsers), so that a
// test can repeat it exactly in Python (tests/onnx/test_web_page.py mirrors every step).
"use strict";

const MNIST_MEAN = 0.1307; // the normalisation of examples/_common.py, as in training
const MNIST_STD = 0.3081;
const BOX = 20; // the digit's longer side, in pixels of the 28x28 frame
const FRAME = 28;
const PEN = 18; // pen width on the 280x280 pad: strokes about as thick as MNIST's
const MODEL = new URLSearchParams(location.search).get("model") || "../../runs/mnist_cnn/model.onnx";

const pad = document.getElementById("pad");
const ink = pad.getContext("2d", { willReadFrequently: true });
const seen = document.getElementById("seen").getContext("2d");
const statusLine = document.getElementById("status");
const answer = document.getElementById("answer");
let session = null;

// ---------------------------------------------------------------------------- preprocessing

/** The pad's ink as rows of numbers in [0, 1] (white strokes on black). */
function readInk() {
  const { width, height } = pad;
  const rgba = ink.getImageData(0, 0, width, height).data;
  const values = new Float64Array(width * height);
  for (let i = 0; i < values.length; i++) values[i] = rgba[4 * i] / 255;
  return { values, width, height };
}

/**
 * The drawing as MNIST would have it: a Float64Array of 28 * 28 values in [0, 1] (row major),
 * or null for an empty pad.
 */
function preprocess({ values, width, height }) {
  let top = height, bottom = -1, left = width, right = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (values[y * width + x] > 0) {
        if (y < top) top = y;
        if (y > bottom) bottom = y;
        if (x < left) left = x;
        if (x > right) right = x;
      }
    }
  }
  if (bottom < 0) return null;
  const h = bottom - top + 1, w = right - left + 1;
  const scale = BOX / Math.max(h, w);
  const outH = Math.max(1, Math.round(h * scale)), outW = Math.max(1, Math.round(w * scale));
  // Area average: each output pixel is the mean of the input pixels it covers.
  const small = new Float64Array(outH * outW);
  for (let i = 0; i < outH; i++) {
    const r0 = Math.floor((i * h) / outH);
    const r1 = Math.max(r0 + 1, Math.floor(((i + 1) * h) / outH));
    for (let j = 0; j < outW; j++) {
      const c0 = Math.floor((j * w) / outW);
      const c1 = Math.max(c0 + 1, Math.floor(((j + 1) * w) / outW));
      let sum = 0;
      for (let r = r0; r < r1; r++) {
        for (let c = c0; c < c1; c++) sum += values[(top + r) * width + left + c];
      }
      small[i * outW + j] = sum / ((r1 - r0) * (c1 - c0));
    }
  }
  // The centre of mass goes to the centre of the frame (pixel k spans [k, k + 1)).
  let total = 0, cy = 0, cx = 0;
  for (let i = 0; i < outH; i++) {
    for (let j = 0; j < outW; j++) {
      const v = small[i * outW + j];
      total += v;
      cy += (i + 0.5) * v;
      cx += (j + 0.5) * v;
    }
  }
  const clamp = (v, hi) => Math.min(Math.max(v, 0), hi);
  const oy = clamp(Math.round(FRAME / 2 - cy / total), FRAME - outH);
  const ox = clamp(Math.round(FRAME / 2 - cx / total), FRAME - outW);
  const frame = new Float64Array(FRAME * FRAME);
  for (let i = 0; i < outH; i++) {
    for (let j = 0; j < outW; j++) frame[(oy + i) * FRAME + ox + j] = small[i * outW + j];
  }
  return frame;
}

/** The model's input: (1, 1, 28, 28) float32, normalised as the training data was. */
function toTensor(frame) {
  const data = new Float32Array(FRAME * FRAME);
  for (let i = 0; i < data.length; i++) data[i] = (frame[i] - MNIST_MEAN) / MNIST_STD;
  return new ort.Tensor("float32", data, [1, 1, FRAME, FRAME]);
}

function softmax(logits) {
  const top = Math.max(...logits);
  const e = Array.from(logits, (v) => Math.exp(v - top));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}

// ---------------------------------------------------------------------------- prediction

async function predict() {
  const frame = preprocess(readInk());
  showSeen(frame);
  if (!frame || !session) {
    showProbabilities(null);
    return { digit: null, probabilities: null, frame: null };
  }
  const out = await session.run({ [session.inputNames[0]]: toTensor(frame) });
  const probabilities = softmax(out[session.outputNames[0]].data);
  showProbabilities(probabilities);
  const digit = probabilities.indexOf(Math.max(...probabilities));
  return { digit, probabilities, frame: Array.from(frame) };
}

// One run at a time; a drawing that changed meanwhile is predicted once more afterwards.
let running = null, again = false;
function predictSoon() {
  if (running) {
    again = true;
    return running;
  }
  running = predict().finally(() => {
    running = null;
    if (again) {
      again = false;
      predictSoon();
    }
  });
  return running;
}

/** Wait for any run in flight, then predict the pad as it is now. */
async function predictNow() {
  while (running) await running;
  return predict();
}

// ---------------------------------------------------------------------------- display

const bars = [];
function buildBars() {
  const box = document.getElementById("bars");
  for (let d = 0; d < 10; d++) {
    const label = Object.assign(document.createElement("div"), { className: "digit", textContent: d });
    const track = Object.assign(document.createElement("div"), { className: "track" });
    const bar = Object.assign(document.createElement("div"), { className: "bar" });
    const pct = Object.assign(document.createElement("div"), { className: "pct", textContent: "" });
    track.append(bar);
    box.append(label, track, pct);
    bars.push({ label, track, bar, pct });
  }
}

function showProbabilities(p) {
  const best = p ? p.indexOf(Math.max(...p)) : -1;
  bars.forEach(({ label, track, bar, pct }, d) => {
    bar.style.width = p ? `${(100 * p[d]).toFixed(1)}%` : "0";
    pct.textContent = p ? `${(100 * p[d]).toFixed(1)}%` : "";
    for (const el of [label, track, pct]) el.classList.toggle("best", d === best);
  });
  answer.textContent = p ? `${best}` : "";
}

function showSeen(frame) {
  const image = seen.createImageData(FRAME, FRAME);
  for (let i = 0; i < FRAME * FRAME; i++) {
    const v = frame ? Math.round(255 * Math.min(1, frame[i])) : 0;
    image.data.set([v, v, v, 255], 4 * i);
  }
  seen.putImageData(image, 0, 0);
}

// ---------------------------------------------------------------------------- drawing

function clearPad() {
  ink.save();
  ink.fillStyle = "#000";
  ink.fillRect(0, 0, pad.width, pad.height);
  ink.restore();
  showSeen(null);
  showProbabilities(null);
}

function position(event) {
  const box = pad.getBoundingClientRect();
  return [((event.clientX - box.left) * pad.width) / box.width,
          ((event.clientY - box.top) * pad.height) / box.height];
}

let last = null;
pad.addEventListener("pointerdown", (event) => {
  pad.setPointerCapture(event.pointerId);
  last = position(event);
  ink.beginPath(); // a dot for a tap
  ink.arc(last[0], last[1], PEN / 2, 0, 2 * Math.PI);
  ink.fill();
  predictSoon();
});
pad.addEventListener("pointermove", (event) => {
  if (!last) return;
  const here = position(event);
  ink.beginPath();
  ink.moveTo(last[0], last[1]);
  ink.lineTo(here[0], here[1]);
  ink.stroke();
  last = here;
  predictSoon();
});
for (const type of ["pointerup", "pointercancel"]) {
  pad.addEventListener(type, () => {
    last = null;
    predictSoon();
  });
}
document.getElementById("clear").addEventListener("click", clearPad);

// ---------------------------------------------------------------------------- start

async function start() {
  buildBars();
  Object.assign(ink, { strokeStyle: "#fff", fillStyle: "#fff", lineWidth: PEN,
                       lineCap: "round", lineJoin: "round" });
  clearPad();
  // Everything from this folder: no CDN, so the page works offline once set up.
  ort.env.wasm.wasmPaths = new URL("node_modules/onnxruntime-web/dist/", location.href).href;
  ort.env.wasm.numThreads = 1; // threads need cross-origin isolation, which http.server lacks
  try {
    session = await ort.InferenceSession.create(MODEL, { executionProviders: ["wasm"] });
    statusLine.textContent = `Model ${MODEL}: input ${session.inputNames[0]}, ` +
      `output ${session.outputNames[0]} (onnxruntime-web ${ort.env.versions.web}).`;
  } catch (error) {
    statusLine.className = "error";
    statusLine.textContent = `Could not load the model ${MODEL}: ${error.message || error}. ` +
      "Export one with: python examples/mnist_cnn.py --export (then serve the repository " +
      "root with python -m http.server).";
  }
  window.digitPage.ready = true;
}

// For tests and the curious: window.digitPage.predictNow() -> {digit, probabilities, frame}.
window.digitPage = { predictNow, preprocess, readInk, clear: clearPad, ready: false };
start();
