// The simulated board fetches a file by name with Espruino's own http.get: DHCP gives the address
// and the DNS server, the name is looked up there. With a TAP (sim/README.md) and a DNS server
// that knows files.test: `make sim APP=examples/fetch.js SIM_ARGS="--tap tap0"`; getFile(url) on the console.
var eth = require("ENC28J60").connect(SPI1, D5, { sck: D18, miso: D19, mosi: D23, int: D4, reset: D27 });
function getFile(url) {
  require("http").get(url, function (res) {
    var body = "";
    res.on("data", function (d) { body += d; });
    res.on("close", function () { console.log("got " + url + " " + res.statusCode + " " + body.length + " bytes crc32 " + (E.CRC32(body) >>> 0)); });
  }).on("error", function (e) { console.log("got " + url + " error " + e.code + " " + e.message); });
}
eth.setIP(function (err, ip) { console.log(err ? "no address: " + err : "up at " + ip.ip + " (DNS server " + ip.dns + ")"); if (!err) getFile("http://files.test/data.bin"); });
