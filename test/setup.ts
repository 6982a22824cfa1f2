// Loaded by mocha before every test file (see .mocharc.json).
import { installEspruinoShims } from "../hal/host/espruino-shims";
installEspruinoShims();
