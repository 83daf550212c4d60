// Sort a table by clicking its header; filter rows with the box above it. No server, no network.
document.querySelectorAll("table.sortable").forEach(function (table) {
  var head = table.tHead; if (!head) return;
  Array.prototype.forEach.call(head.rows[0].cells, function (th, index) {
    th.classList.add("sortable"); th.title = "点击排序";
    th.addEventListener("click", function () {
      var body = table.tBodies[0], rows = Array.prototype.slice.call(body.rows);
      var asc = th.dataset.dir !== "asc"; th.dataset.dir = asc ? "asc" : "desc";
      var key = function (row) { var t = row.cells[index] ? row.cells[index].innerText.trim() : "";
        var n = parseFloat(t.replace(/[,%元\s]/g, "")); return isNaN(n) ? t : n; };
      rows.sort(function (a, b) { var x = key(a), y = key(b);
        var xn = typeof x === "number", yn = typeof y === "number";
        if (xn && yn) return asc ? x - y : y - x;
        if (xn !== yn) return xn ? -1 : 1;  // figures first, 无数据 and text after, either way
        return asc ? String(x).localeCompare(String(y), "zh") : String(y).localeCompare(String(x), "zh"); });
      rows.forEach(function (row) { body.appendChild(row); });
    });
  });
});
document.querySelectorAll("input.filter").forEach(function (input) {
  var table = document.getElementById(input.dataset.table);
  input.addEventListener("input", function () {
    var q = input.value.trim().toLowerCase();
    Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
      row.style.display = !q || row.innerText.toLowerCase().indexOf(q) >= 0 ? "" : "none"; });
  });
});
