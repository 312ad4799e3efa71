/* global window, document, Event */
// Maps of the city problem report pages (۱۳۷), drawn with Leaflet from the app's own copy.
// Every page works without this script; it only turns [data-pk-map] containers into maps:
//   picker  - the report form: click or drag to set the lat/lng inputs (#f-lat, #f-lng)
//   point   - one report (data-lat, data-lng; data-approximate draws a circle instead of a pin)
//   reports - the public map (data-reports: [{code, lat, lng, open, title, state, url}])
// Tiles come from data-tiles when the operator configured a tile server; without tiles (or when
// they fail) the map still shows the municipalities' boundaries from data-areas (GeoJSON), or,
// when that is not available, a dot at each municipality's centre (data-centres).
(function () {
  'use strict';
  var L = window.L;
  if (!L) return;

  var PROVINCE = [36.5, 52.5];
  var OPEN = '#c2410c';
  var CLOSED = '#15803d';
  var LABEL_ZOOM = 11;
  var PICK_ZOOM = 11;

  function parse(json, fallback) {
    try { return json ? JSON.parse(json) : fallback; } catch { return fallback; }
  }

  // Leaflet treats a string given to a tooltip or popup as HTML: names go in as text nodes.
  function textNode(s) { return document.createTextNode(String(s)); }

  function nameOf(props, locale) {
    if (!props) return '';
    if (props.name && typeof props.name === 'object') return props.name[locale] || props.name.fa || '';
    return props['name_' + locale] || props.name || props.name_fa || props.code || '';
  }

  /** The base of every map: tiles if configured, the municipalities, and a view. */
  function baseMap(el) {
    el.classList.add('pk-map-live');
    var locale = el.dataset.locale || 'fa';
    var map = L.map(el, { scrollWheelZoom: false, attributionControl: true });
    map.attributionControl.setPrefix('<a href="https://leafletjs.com" lang="en">Leaflet</a>');
    map.setView(PROVINCE, 8);
    if (el.dataset.tiles) {
      L.tileLayer(el.dataset.tiles, { attribution: el.dataset.attribution || '', maxZoom: 19, crossOrigin: false }).addTo(map);
    } else {
      el.classList.add('pk-map-notiles');
    }
    // Names of the municipalities only once they are big enough to read; at the province's zoom they overlap.
    function labels() { el.classList.toggle('pk-map-far', map.getZoom() < LABEL_ZOOM); }
    map.on('zoomend', labels);
    labels();
    var centres = parse(el.dataset.centres, []);
    var areas = L.featureGroup().addTo(map);
    var api = { map: map, areas: areas, centres: centres, boundaries: {}, ready: null };

    function drawCentres() {
      centres.forEach(function (c) {
        var m = L.circleMarker([c.lat, c.lng], { radius: 4, color: '#0b6e4f', weight: 1, fillOpacity: 0.6, interactive: false });
        m.bindTooltip(textNode(c.name), { permanent: false, direction: 'top' });
        m.addTo(areas);
      });
    }

    api.ready = (el.dataset.areas ? fetch(el.dataset.areas, { headers: { accept: 'application/json' } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .catch(function () { return null; }) : Promise.resolve(null))
      .then(function (geo) {
        var features = geo && (geo.type === 'FeatureCollection' ? geo.features : geo.items || geo.features);
        if (!features || !features.length) { drawCentres(); return api; }
        features.forEach(function (f) {
          var feature = f.type === 'Feature' ? f : { type: 'Feature', geometry: f.geometry || f.boundary, properties: f.properties || f };
          if (!feature.geometry) return;
          var layer = L.geoJSON(feature, { style: { color: '#0b6e4f', weight: 1.5, fillColor: '#0b6e4f', fillOpacity: 0.06 }, interactive: false });
          layer.addTo(areas);
          var label = nameOf(feature.properties, locale);
          if (label) layer.bindTooltip(textNode(label), { permanent: true, direction: 'center', className: 'pk-area-tooltip' });
          var code = feature.properties && (feature.properties.code || feature.properties.org);
          if (code) api.boundaries[code] = layer;
        });
        return api;
      });
    return api;
  }

  // Views are set without animation: Leaflet drops a view asked for while a zoom animation runs,
  // so choosing a municipality just after the page loaded would otherwise be lost.
  function fitArea(api, code, fallback) {
    var layer = api.boundaries[code];
    if (layer) api.map.fitBounds(layer.getBounds(), { maxZoom: 15, animate: false });
    else if (fallback) api.map.setView(fallback, 13, { animate: false });
  }

  function picker(el) {
    var api = baseMap(el);
    var map = api.map;
    var form = el.closest('form');
    var latInput = document.getElementById('f-lat');
    var lngInput = document.getElementById('f-lng');
    var orgSelect = document.getElementById('f-org');
    var marker = null;

    function current() {
      var lat = parseFloat(latInput.value.replace('٫', '.'));
      var lng = parseFloat(lngInput.value.replace('٫', '.'));
      return isFinite(lat) && isFinite(lng) ? [lat, lng] : null;
    }
    function place(latlng, pan) {
      if (!marker) {
        marker = L.marker(latlng, { draggable: true, keyboard: true, title: el.getAttribute('aria-label') || '' }).addTo(map);
        marker.on('dragend', function () { set(marker.getLatLng(), false); });
      } else {
        marker.setLatLng(latlng);
      }
      if (pan) map.setView(latlng, Math.max(map.getZoom(), 15));
    }
    function set(latlng, pan) {
      latInput.value = latlng.lat.toFixed(6);
      lngInput.value = latlng.lng.toFixed(6);
      place(latlng, pan);
      latInput.dispatchEvent(new Event('change', { bubbles: true }));
    }

    // A click on the whole province zooms in first: a point is chosen where streets can be told apart.
    map.on('click', function (e) {
      if (map.getZoom() < PICK_ZOOM) map.setView(e.latlng, PICK_ZOOM + 2);
      else set(e.latlng, false);
    });
    [latInput, lngInput].forEach(function (input) {
      input.addEventListener('input', function () {
        var p = current();
        if (p) place(L.latLng(p[0], p[1]), true);
      });
    });
    if (form) {
      form.addEventListener('pk:locate', function (e) { set(L.latLng(e.detail.lat, e.detail.lng), true); });
    }
    if (orgSelect) {
      orgSelect.addEventListener('change', function () {
        var opt = orgSelect.selectedOptions[0];
        if (!opt || !opt.value || current()) return;
        fitArea(api, opt.value, [parseFloat(opt.dataset.lat), parseFloat(opt.dataset.lng)]);
      });
    }
    var start = current();
    if (start) place(L.latLng(start[0], start[1]), true);
    api.ready.then(function () {
      if (current()) return;
      var opt = orgSelect && orgSelect.selectedOptions[0];
      if (opt && opt.value) fitArea(api, opt.value, [parseFloat(opt.dataset.lat), parseFloat(opt.dataset.lng)]);
      else if (api.areas.getLayers().length) map.fitBounds(api.areas.getBounds(), { padding: [10, 10], animate: false });
    });
  }

  function point(el) {
    var api = baseMap(el);
    var lat = parseFloat(el.dataset.lat);
    var lng = parseFloat(el.dataset.lng);
    if (!isFinite(lat) || !isFinite(lng)) return;
    if (el.dataset.approximate) {
      L.circle([lat, lng], { radius: 120, color: OPEN, weight: 2, fillOpacity: 0.2 }).addTo(api.map);
    } else {
      L.marker([lat, lng], { keyboard: false, title: el.getAttribute('aria-label') || '' }).addTo(api.map);
    }
    api.map.setView([lat, lng], 15);
  }

  function reports(el) {
    var api = baseMap(el);
    var items = parse(el.dataset.reports, []);
    var group = L.featureGroup().addTo(api.map);
    items.forEach(function (r) {
      var m = L.circleMarker([r.lat, r.lng], { radius: 7, color: '#fff', weight: 2, fillColor: r.open ? OPEN : CLOSED, fillOpacity: 0.95 });
      var box = document.createElement('div');
      box.dir = el.dataset.locale === 'en' ? 'ltr' : 'rtl';
      var a = document.createElement('a');
      a.href = r.url;
      a.textContent = r.title;
      var s = document.createElement('div');
      s.textContent = r.state;
      box.appendChild(a);
      box.appendChild(s);
      m.bindPopup(box);
      m.addTo(group);
    });
    api.ready.then(function () {
      if (group.getLayers().length) api.map.fitBounds(group.getBounds(), { padding: [20, 20], maxZoom: 15, animate: false });
      else if (api.areas.getLayers().length) api.map.fitBounds(api.areas.getBounds(), { padding: [10, 10], animate: false });
    });
  }

  var kinds = { picker: picker, point: point, reports: reports };
  Array.prototype.forEach.call(document.querySelectorAll('[data-pk-map]'), function (el) {
    var make = kinds[el.dataset.pkMap];
    if (make) make(el);
  });
})();
