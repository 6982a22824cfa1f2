// The simulated board's ten-line app: the ENC28J60 on SPI1 (SCK D18, MISO D19, MOSI D23, CS D5,
// INT D4, RESET D27), DHCP, one route reading a pin. `make sim APP=examples/hello.js`.
var eth = require("ENC28J60").connect(SPI1, D5, { sck: D18, miso: D19, mosi: D23, int: D4, reset: D27 });
eth.setIP(function (err, ip) { console.log(err ? "no address: " + err : "up at http://" + ip.ip + "/"); });
var srv = eth.createServer();
srv.get("/", function (req, res) {
  res.json({ button: digitalRead(D0), light: analogRead(D13) });
});
