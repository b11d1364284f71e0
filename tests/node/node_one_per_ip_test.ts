// One node per IP address through the node (`oneNodePerIp`, on by default): a query that claims a
// contact's address and port with another id is a forgery until the contact says otherwise. The
// attacker's datagram is handed to the victim's real transport handler with the contact's
// address as its source, as the kernel would deliver a UDP packet with a forged source.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { KademliaNode, SeededRandom } from "../../mod.ts";
import { idToHex, randomId } from "../../src/id/node_id.ts";
import { MemoryNetwork } from "../../src/testing/memory_network.ts";
import { VirtualClock } from "../../src/testing/virtual_clock.ts";
import type {
  Address,
  DatagramHandler,
  TransportFactory,
} from "../../src/transport/datagram_transport.ts";
import { BencodeCodec } from "../../src/wire/bencode.ts";

const VICTIM = "203.0.113.1";
const CONTACT = "198.51.100.7";

async function setup() {
  const clock = new VirtualClock();
  const random = new SeededRandom(5);
  const network = new MemoryNetwork({ clock, random });
  let deliver: DatagramHandler | undefined;
  // The victim's own transport, whose receive handler the test also calls with forged sources.
  const victimTransport: TransportFactory = async (options) => {
    const transport = await network.bind(options);
    const onDatagram = transport.onDatagram.bind(transport);
    transport.onDatagram = (handler) => {
      deliver = handler;
      onDatagram(handler);
    };
    return transport;
  };
  const make = (transport: TransportFactory, nodeId?: Uint8Array) =>
    new KademliaNode({
      serialization: "bencode",
      transport,
      clock,
      random,
      ...(nodeId === undefined ? {} : { nodeId }),
    });
  const victim = make(victimTransport);
  await victim.listen(6881, VICTIM);
  const contact = make(network.bind);
  await contact.listen(6881, CONTACT);
  await clock.runUntilSettled(contact.bootstrap([victim.address!]));
  const forgePing = (id: Uint8Array, from: Address) => {
    const data = new BencodeCodec().encode({ t: "zz", y: "q", q: "ping", a: { id } });
    deliver!(data, from);
  };
  const peers = () => victim.peers().map((p) => `${p.id}@${p.host}:${p.port}`);
  return { clock, random, network, victim, contact, make, forgePing, peers };
}

describe("oneNodePerIp through the node", () => {
  it("keeps a live contact when a forged query claims its address with a new id", async () => {
    const { clock, random, victim, contact, forgePing, peers } = await setup();
    try {
      const real = `${contact.id}@${CONTACT}:6881`;
      assert.deepEqual(peers(), [real]);
      const pingsBefore = contact.stats().queriesReceived;
      const forged = randomId(random);
      for (let i = 0; i < 5; i++) forgePing(forged, { host: CONTACT, port: 6881 });
      await clock.advance(10_000);
      assert.deepEqual(peers(), [real], "the forged id took no contact's place");
      // The victim asked the contact which id it has, once for the five forgeries.
      assert.equal(contact.stats().queriesReceived - pingsBefore, 1);
      assert.ok(!peers().some((p) => p.startsWith(idToHex(forged))));
    } finally {
      await victim.close();
      await contact.close();
      await clock.runAll({ maxMs: 60_000 });
    }
  });

  it("takes the new id of a node that restarted at the same address and port", async () => {
    const { clock, random, network, victim, contact, make, peers } = await setup();
    try {
      await contact.close();
      const renewedId = randomId(random);
      const renewed = make(network.bind, renewedId);
      await renewed.listen(6881, CONTACT);
      await clock.runUntilSettled(renewed.ping(victim.address!));
      await clock.advance(10_000);
      assert.deepEqual(peers(), [`${idToHex(renewedId)}@${CONTACT}:6881`]);
      await renewed.close();
    } finally {
      await victim.close();
      await clock.runAll({ maxMs: 60_000 });
    }
  });
});
