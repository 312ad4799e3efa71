/* global document, navigator, CustomEvent */
// The report form (۱۳۷): shows only the chosen category's extra questions, offers the device's
// position, warns about too many photos, and lists open reports of the same category within
// 250 m (from /api/v1/reports/nearby) so the citizen can follow one instead of filing again.
// Without this script the form shows every category's questions and still submits.
(function () {
  'use strict';
  var form = document.getElementById('pk-report-form');
  if (!form) return;
  var category = document.getElementById('f-category');
  var lat = document.getElementById('f-lat');
  var lng = document.getElementById('f-lng');
  var nearby = document.getElementById('pk-nearby');
  var photos = document.getElementById('f-photos');
  var locate = document.getElementById('pk-locate');
  var status = document.getElementById('pk-locate-status');

  // ---- The chosen category's questions only.
  function showAttributes() {
    Array.prototype.forEach.call(form.querySelectorAll('.pk-attrs'), function (box) {
      var on = box.dataset.category === category.value;
      box.hidden = !on;
      Array.prototype.forEach.call(box.querySelectorAll('input, select, textarea'), function (input) { input.disabled = !on; });
    });
  }
  category.addEventListener('change', showAttributes);
  showAttributes();

  // ---- The device's position.
  if (locate && navigator.geolocation) {
    locate.hidden = false;
    locate.addEventListener('click', function () {
      status.textContent = locate.dataset.locating;
      locate.disabled = true;
      navigator.geolocation.getCurrentPosition(function (pos) {
        locate.disabled = false;
        status.textContent = locate.dataset.done;
        var detail = { lat: pos.coords.latitude, lng: pos.coords.longitude };
        lat.value = detail.lat.toFixed(6);
        lng.value = detail.lng.toFixed(6);
        form.dispatchEvent(new CustomEvent('pk:locate', { detail: detail }));
        findNearby();
      }, function () {
        locate.disabled = false;
        status.textContent = locate.dataset.failed;
      }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
    });
  }

  // ---- Too many photos is said before sending them.
  if (photos) {
    photos.addEventListener('change', function () {
      var max = parseInt(photos.dataset.max, 10) || 5;
      photos.setCustomValidity(photos.files && photos.files.length > max ? photos.dataset.tooMany : '');
      if (photos.files && photos.files.length > max) photos.reportValidity();
    });
  }

  // ---- Open reports of the same category nearby.
  var asked = 0;
  function digits(s) {
    return nearby.dataset.locale === 'fa' ? String(s).replace(/[0-9]/g, function (d) { return '۰۱۲۳۴۵۶۷۸۹'[d]; }) : String(s);
  }
  function clear() {
    nearby.hidden = true;
    while (nearby.firstChild) nearby.removeChild(nearby.firstChild);
  }
  function show(items) {
    clear();
    if (!items.length) return;
    var h = document.createElement('h2');
    h.className = 'h6';
    h.textContent = nearby.dataset.title;
    var p = document.createElement('p');
    p.className = 'small mb-2';
    p.textContent = nearby.dataset.lead;
    var ul = document.createElement('ul');
    ul.className = 'list-unstyled mb-0';
    items.slice(0, 5).forEach(function (r) {
      var li = document.createElement('li');
      li.className = 'mb-2';
      var what = document.createElement('div');
      what.textContent = (r.description || r.category.title[nearby.dataset.locale] || '') + ' · ' + nearby.dataset.distance.replace('{m}', digits(r.distance_m));
      var a = document.createElement('a');
      a.href = '/reports/' + encodeURIComponent(r.tracking_code);
      a.textContent = nearby.dataset.follow + ' (' + digits(r.tracking_code) + ')';
      a.dir = 'auto';
      li.appendChild(what);
      li.appendChild(a);
      ul.appendChild(li);
    });
    nearby.appendChild(h);
    nearby.appendChild(p);
    nearby.appendChild(ul);
    nearby.hidden = false;
  }
  function findNearby() {
    var la = parseFloat(lat.value);
    var ln = parseFloat(lng.value);
    if (!category.value || !isFinite(la) || !isFinite(ln)) { clear(); return; }
    var n = ++asked;
    var url = form.dataset.nearbyUrl + '?lat=' + encodeURIComponent(la) + '&lng=' + encodeURIComponent(ln) + '&category=' + encodeURIComponent(category.value);
    fetch(url, { headers: { accept: 'application/json' } })
      .then(function (r) { return r.ok ? r.json() : { items: [] }; })
      .then(function (body) { if (n === asked) show(body.items || []); })
      .catch(function () { if (n === asked) clear(); });
  }
  category.addEventListener('change', findNearby);
  lat.addEventListener('change', findNearby);
  lng.addEventListener('change', findNearby);
  findNearby();
})();
