/* The e-auction room (auctions/views/room.py): follows the room's state as server-sent events (one event per
   change, auctions/room/stream.py), or polls it twice a second where the server keeps no stream open; counts
   down from the server's clock, and places final price offers with a fresh Idempotency-Key per click. Plain
   JavaScript. */
(function () {
  "use strict";

  var root = document.getElementById("room");
  var stateScript = document.getElementById("room-state");
  if (!root || !stateScript) return;

  var FAST = 500; // ms between polls while the e-auction is open or about to open
  var SLOW = 5000; // ms between polls between the close and the declaration of the result
  var stateUrl = root.getAttribute("data-state-url");
  var eventsUrl = root.getAttribute("data-events-url");
  // The words of the auction's direction, from the page (auctions/wording.py): "Highest" or "Lowest", and so on.
  var TEXT = {
    best: root.getAttribute("data-text-best") || "Highest",
    outbid: root.getAttribute("data-text-outbid") || "Outbid",
    unit: root.getAttribute("data-text-unit") || "of the value of mineral despatched",
    nextValid: root.getAttribute("data-text-next-valid") || "The smallest valid offer now is",
  };
  var offerUrl = root.getAttribute("data-offer-url");
  var state = JSON.parse(stateScript.textContent);
  var etag = null;
  var offset = Date.parse(state.server_time) - Date.now(); // server clock minus this browser's clock, ms
  var pollTimer = null;
  var polling = false;
  var pollAgain = false;
  var stopped = false;
  var source = null; // the EventSource while the room follows the server's events; null while it polls
  var submitting = false;
  var prefilled = state.next_valid_offer; // what we put in the offer field, so we never overwrite the user's own

  var form = document.getElementById("offer-form");
  var input = document.getElementById("offer-value");
  var button = document.getElementById("offer-submit");

  function $(id) {
    return document.getElementById(id);
  }

  function setText(id, value) {
    var node = $(id);
    if (node && node.textContent !== value) node.textContent = value;
  }

  function show(id, visible) {
    var node = $(id);
    if (node) node.hidden = !visible;
  }

  function istTime(iso) {
    return new Date(iso).toLocaleTimeString("en-IN", { timeZone: "Asia/Kolkata", hour12: false });
  }

  function istDateTime(iso) {
    var d = new Date(iso);
    return (
      d.toLocaleDateString("en-IN", { timeZone: "Asia/Kolkata", day: "numeric", month: "short", year: "numeric" }) +
      ", " +
      istTime(iso)
    );
  }

  function percent(value) {
    return value === null || value === undefined ? "—" : value + "%";
  }

  function serverNow() {
    return Date.now() + offset;
  }

  function duration(ms) {
    var total = Math.max(0, Math.ceil(ms / 1000));
    var h = Math.floor(total / 3600);
    var m = Math.floor((total % 3600) / 60);
    var s = total % 60;
    var mm = (m < 10 ? "0" : "") + m;
    var ss = (s < 10 ? "0" : "") + s;
    return h > 0 ? h + ":" + mm + ":" + ss : mm + ":" + ss;
  }

  function uuid() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") return window.crypto.randomUUID();
    // Outside a secure context randomUUID is missing; getRandomValues is not.
    var b = window.crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(b, function (x) {
      return (x < 16 ? "0" : "") + x.toString(16);
    }).join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
  }

  function csrfToken() {
    var field = form && form.querySelector("input[name=csrfmiddlewaretoken]");
    if (field) return field.value;
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function message(text, kind) {
    var node = $("offer-message");
    if (!node) return;
    node.textContent = text || "";
    node.className = "offer-message" + (kind ? " " + kind : "");
  }

  // --- Drawing the state -------------------------------------------------------------------------------

  function cell(row, text, className) {
    var td = document.createElement("td");
    td.textContent = text;
    if (className) td.className = className;
    row.appendChild(td);
    return td;
  }

  function drawHistory(s) {
    var table = $("room-history");
    if (!table) return;
    var finished = !!s.result;
    var regulator = s.viewer === "regulator";
    var mine = s.you && s.you.bidder;
    var heads = table.querySelectorAll("th.token-col");
    for (var i = 0; i < heads.length; i++) heads[i].hidden = !finished;
    var body = document.createElement("tbody");
    if (!s.history.length) {
      var empty = document.createElement("tr");
      empty.className = "empty-row";
      var td = cell(empty, "No final offer yet.", "empty");
      td.colSpan = 6;
      body.appendChild(empty);
    }
    s.history.forEach(function (h) {
      var tr = document.createElement("tr");
      tr.setAttribute("data-seq", h.seq);
      if (mine && h.bidder === mine) tr.className = "mine";
      cell(tr, String(h.seq), "num");
      cell(tr, h.bidder + (mine && h.bidder === mine ? " (you)" : ""));
      if (regulator) cell(tr, h.firm || "");
      cell(tr, percent(h.value), "num");
      cell(tr, istTime(h.placed_at));
      var token = cell(tr, h.bidder_token || "", "mono token-col");
      token.hidden = !finished;
      body.appendChild(tr);
    });
    table.replaceChild(body, table.tBodies[0]);
    var note = $("room-history-note");
    if (note) {
      note.hidden = s.history_complete;
      note.textContent =
        "The latest " + s.history.length + " of " + s.offer_count + " offers are shown; the whole history is " +
        "published at the close.";
    }
  }

  function drawBidders(s) {
    var table = $("room-bidders");
    if (!table || !s.bidders) return;
    var body = document.createElement("tbody");
    s.bidders.forEach(function (b) {
      var tr = document.createElement("tr");
      cell(tr, b.firm);
      cell(tr, b.cin, "mono");
      cell(tr, String(b.rank), "num");
      cell(tr, percent(b.initial_price_offer), "num");
      cell(tr, b.bidder || "—");
      cell(tr, percent(b.best_offer), "num");
      cell(tr, b.highest ? TEXT.best : "");
      body.appendChild(tr);
    });
    table.replaceChild(body, table.tBodies[0]);
  }

  function drawResult(s) {
    var box = $("room-result");
    if (!box) return;
    box.hidden = !s.result;
    if (!s.result) return;
    box.textContent = "";
    var h = document.createElement("h2");
    var p = document.createElement("p");
    if (s.result.outcome === "preferred_bidder") {
      h.textContent = "Preferred bidder: " + s.result.preferred_bidder;
      p.textContent =
        "Winning final price offer: " + percent(s.result.winning_offer) + " " + TEXT.unit + "." +
        (s.result.declared ? "" : " Being declared.");
    } else {
      h.textContent = "Annulled: " + s.result.annulment_reason;
      p.textContent = "There was no final price offer.";
    }
    box.appendChild(h);
    box.appendChild(p);
  }

  function drawYou(s) {
    if (!s.you || s.viewer !== "bidder") return;
    var labels = { highest: TEXT.best, outbid: TEXT.outbid, no_offer: "No offer yet" };
    setText("room-standing", labels[s.you.standing] || "");
    var standing = $("room-standing");
    if (standing) standing.setAttribute("data-standing", s.you.standing);
    setText(
      "room-own",
      s.you.best_offer ? "Your best offer: " + s.you.best_offer + "% (" + s.you.bidder + ")" : "You have made no final offer."
    );
    var note = $("offer-note");
    if (note) {
      note.textContent = s.you.note;
      note.hidden = !s.you.note;
    }
  }

  function drawForm(s) {
    if (!form) return;
    var open = !!(s.you && s.you.can_offer) && s.phase === "live" && Date.parse(s.closes_at) > serverNow();
    input.disabled = !open;
    button.disabled = !open || submitting;
    setText("offer-hint", s.next_valid_offer ? TEXT.nextValid + " " + s.next_valid_offer + "%." : "");
    // Pre-fill the next valid offer, unless the bidder has typed an offer of their own.
    if (s.next_valid_offer && (input.value.trim() === "" || input.value.trim() === prefilled)) {
      input.value = s.next_valid_offer;
      prefilled = s.next_valid_offer;
    }
  }

  function draw(s, previous) {
    setText("room-phase", s.phase_label);
    var phase = $("room-phase");
    if (phase) phase.className = "badge phase-" + s.phase;
    setText("room-best", s.best_offer ? s.best_offer + "%" : "No offer yet");
    setText("room-count", String(s.offer_count));
    setText("room-floor", percent(s.floor_price));
    var over = s.phase === "closed" || s.phase === "settled" || s.phase === "annulled";
    setText(
      "room-closes",
      (over ? "Closed on " : "Closes at ") + istDateTime(s.closes_at) + " IST" + (s.extended ? " (extended)" : "")
    );
    if (previous && previous.best_offer !== s.best_offer) {
      var card = $("room-best-card");
      if (card) {
        card.classList.remove("flash");
        void card.offsetWidth; // restart the animation
        card.classList.add("flash");
      }
    }
    if (s.extended && (!previous || previous.closes_at !== s.closes_at)) {
      setText(
        "room-extension",
        "An offer in the last " + s.extension_window_minutes + " minutes extended the close: it is now " +
          istTime(s.closes_at) + " IST."
      );
      show("room-extension", true);
    }
    drawYou(s);
    drawForm(s);
    drawHistory(s);
    drawBidders(s);
    drawResult(s);
    tick();
  }

  function apply(s, fromServerAt) {
    if (fromServerAt) offset = Date.parse(s.server_time) - fromServerAt;
    var previous = state;
    state = s;
    if (previous.version !== s.version || !previous.drawn) draw(s, previous.drawn ? previous : null);
    state.drawn = true;
  }

  // --- The countdown, from the server's clock ----------------------------------------------------------

  function tick() {
    var now = serverNow();
    var starts = Date.parse(state.starts_at);
    var closes = Date.parse(state.closes_at);
    if (state.phase === "opened" && now < starts) {
      setText("room-countdown-label", "Starts in");
      setText("room-countdown", duration(starts - now));
    } else if ((state.phase === "opened" || state.phase === "live") && now < closes) {
      setText("room-countdown-label", "Closes in");
      setText("room-countdown", duration(closes - now));
    } else {
      setText("room-countdown-label", "Closed at");
      setText("room-countdown", istTime(state.closes_at));
      if (form && !input.disabled) {
        input.disabled = true;
        button.disabled = true;
        if (!source) pollNow(); // the server's clock has passed the close: fetch the result (events bring it)
      }
    }
  }

  // --- Polling -----------------------------------------------------------------------------------------

  function nextDelay() {
    if (stopped || source) return null; // the events bring every change: no polling
    if (state.phase === "settled" || state.phase === "annulled") return null;
    return state.phase === "closed" ? SLOW : FAST;
  }

  function schedule() {
    clearTimeout(pollTimer);
    var delay = nextDelay();
    if (delay !== null) pollTimer = setTimeout(poll, delay);
  }

  function pollNow() {
    if (polling) {
      pollAgain = true;
      return;
    }
    clearTimeout(pollTimer);
    poll();
  }

  function poll() {
    polling = true;
    var sent = Date.now();
    var headers = { Accept: "application/json" };
    if (etag) headers["If-None-Match"] = etag;
    fetch(stateUrl, { headers: headers, credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        var received = Date.now();
        show("room-connection", false);
        if (response.status === 304) return;
        return response.json().then(function (body) {
          if (!response.ok) {
            setText("room-connection", body.error ? body.error.message : "The room could not be loaded.");
            show("room-connection", true);
            if (response.status === 403 || response.status === 404) stopped = true; // signed out, or gone
            return;
          }
          etag = response.headers.get("ETag");
          apply(body, (sent + received) / 2);
        });
      })
      .catch(function () {
        setText("room-connection", "The connection to the server was lost; retrying…");
        show("room-connection", true);
      })
      .then(function () {
        polling = false;
        if (pollAgain) {
          pollAgain = false;
          pollNow();
        } else {
          schedule();
        }
      });
  }

  // --- Server-sent events -----------------------------------------------------------------------------

  function listen() {
    if (!eventsUrl || !window.EventSource) return false;
    source = new EventSource(eventsUrl);
    source.onmessage = function (event) {
      var s;
      try {
        s = JSON.parse(event.data);
      } catch (e) {
        return;
      }
      show("room-connection", false);
      apply(s, Date.now());
    };
    source.addEventListener("end", function () {
      // The result is declared: nothing more will change.
      source.close();
      source = null;
    });
    source.onerror = function () {
      // While the server answers, EventSource reconnects by itself (and gets any change it missed). When it
      // gives up (a refusal, or a server that keeps no stream open: 503), the room polls instead.
      if (source && source.readyState === window.EventSource.CLOSED) {
        source = null;
        pollNow();
      }
    };
    return true;
  }

  // --- Placing an offer --------------------------------------------------------------------------------

  function send(value, key, attempt) {
    return fetch(offerUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        "X-CSRFToken": csrfToken(),
        "Idempotency-Key": key,
      },
      body: JSON.stringify({ value: value }),
    }).then(
      function (response) {
        // A server error (or a proxy's error page) stored nothing: the key was released, so a retry with the
        // same key is safe and places the offer at most once.
        if (response.status >= 500 && attempt < 3) {
          return wait(300).then(function () {
            return send(value, key, attempt + 1);
          });
        }
        return response.json().then(
          function (body) {
            var code = body.error && body.error.code;
            if (response.status === 409 && code === "idempotency_in_progress" && attempt < 5) {
              return wait(300).then(function () {
                return send(value, key, attempt + 1);
              });
            }
            return { status: response.status, body: body };
          },
          function () {
            return { status: response.status, body: null }; // not JSON: an error page
          }
        );
      },
      function () {
        // The network failed: the offer may or may not have reached the server. Retrying with the same key
        // returns the first answer and never places it twice.
        if (attempt < 3) {
          return wait(500).then(function () {
            return send(value, key, attempt + 1);
          });
        }
        return { status: 0, body: null };
      }
    );
  }

  function wait(ms) {
    return new Promise(function (resolve) {
      setTimeout(resolve, ms);
    });
  }

  if (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (submitting) return;
      var value = input.value.trim();
      if (!/^\d{1,3}(\.\d{1,2})?$/.test(value)) {
        message(
          "Write your offer as a percentage with at most two decimals" +
            (state.next_valid_offer ? ", e.g. " + state.next_valid_offer : "") + ".",
          "error"
        );
        input.focus();
        return;
      }
      submitting = true;
      button.disabled = true;
      message("Placing your offer of " + value + "%…", "pending");
      send(value, uuid(), 0)
        .then(function (result) {
          if (result.status === 201) {
            message(
              "Your offer of " + result.body.offer.value + "% was accepted (offer #" + result.body.offer.seq + ").",
              "ok"
            );
            etag = null;
            prefilled = null;
            input.value = "";
            apply(result.body.state, null);
            drawForm(state);
          } else if (result.status === 0 || !(result.body && result.body.error)) {
            message(
              "The server could not be reached, so we cannot tell whether your offer was placed. The history " +
                "below shows it if it was.",
              "error"
            );
          } else {
            message(result.body.error.message, "error");
            // Show the smallest valid offer as the server sees it now.
            prefilled = null;
            input.value = "";
          }
        })
        .then(function () {
          submitting = false;
          drawForm(state);
          if (!source) pollNow();
        });
    });
  }

  draw(state, null);
  state.drawn = true;
  setInterval(tick, 250);
  if (!listen()) schedule();
})();
