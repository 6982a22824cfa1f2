// Builds a stack over the test-double link with a fake clock.
import { createStack, StackConfig } from "../../../firmware/net/stack";
import { FakeNetif, FakeClock, ip } from "./wire";

export function setup(cfg: StackConfig = { ip: ip("192.0.2.2"), mask: 0xffffff00, gateway: ip("192.0.2.1") }, link = true) {
  const netif = new FakeNetif();
  netif.link = link;
  const clock = new FakeClock();
  const stack = createStack(netif, clock, cfg);
  return { netif, clock, stack };
}
