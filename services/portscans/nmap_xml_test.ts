import assert from "node:assert/strict";
import { AppError } from "@/services/errors.ts";
import { decodeXmlEntities, parseNmapXml } from "./nmap_xml.ts";

// Captured from nmap 7.93: `nmap -n -Pn -sT -sV -p 18080,18081 -oX - -- 127.0.0.1` with
// `python3 -m http.server 18080` listening.
const REAL = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE nmaprun>
<?xml-stylesheet href="file:///usr/bin/../share/nmap/nmap.xsl" type="text/xsl"?>
<!-- Nmap 7.93 scan initiated Tue Nov 24 20:00:12 2026 as: nmap -n -Pn -sT -sV -p 18080,18081 -oX - -&#45; 127.0.0.1 -->
<nmaprun scanner="nmap" args="nmap -n -Pn -sT -sV -p 18080,18081 -oX - -&#45; 127.0.0.1" start="1795550412" startstr="Tue Nov 24 20:00:12 2026" version="7.93" xmloutputversion="1.05">
<scaninfo type="connect" protocol="tcp" numservices="2" services="18080-18081"/>
<verbose level="0"/>
<debugging level="0"/>
<host starttime="1795550412" endtime="1795550418"><status state="up" reason="user-set" reason_ttl="0"/>
<address addr="127.0.0.1" addrtype="ipv4"/>
<hostnames>
</hostnames>
<ports><port protocol="tcp" portid="18080"><state state="open" reason="syn-ack" reason_ttl="0"/><service name="http" product="SimpleHTTPServer" version="0.6" extrainfo="Python 3.11.7" method="probed" conf="10"><cpe>cpe:/a:python:simplehttpserver:0.6</cpe></service></port>
<port protocol="tcp" portid="18081"><state state="closed" reason="conn-refused" reason_ttl="0"/></port>
</ports>
<times srtt="318" rttvar="3820" to="100000"/>
</host>
<runstats><finished time="1795550418" timestr="Tue Nov 24 20:00:18 2026" summary="Nmap done at Tue Nov 24 20:00:18 2026; 1 IP address (1 host up) scanned in 6.35 seconds" elapsed="6.35" exit="success"/><hosts up="1" down="0" total="1"/>
</runstats>
</nmaprun>
`;

Deno.test("a real nmap report becomes hosts with ports, services and versions", () => {
  assert.deepEqual(parseNmapXml(REAL), [{
    ip: "127.0.0.1",
    status: "up",
    mac: null,
    ports: [
      {
        port: 18080,
        proto: "tcp",
        state: "open",
        service: "http",
        product: "SimpleHTTPServer",
        version: "0.6",
      },
      { port: 18081, proto: "tcp", state: "closed", service: "", product: "", version: "" },
    ],
  }]);
});

Deno.test("several hosts, IPv6, MAC addresses, UDP and hosts without ports are read", () => {
  const xml = `<?xml version="1.0"?><!DOCTYPE nmaprun><nmaprun>
<host><status state="up"/><address addr="198.51.100.10" addrtype="ipv4"/>
<address addr="02:00:00:AA:BB:CC" addrtype="mac" vendor="Acme"/>
<ports><extraports state="closed" count="998"/>
<port protocol="udp" portid="53"><state state="open|filtered"/><service name="domain"/></port>
</ports></host>
<host><status state="up"/><address addr="2001:0db8:0:0:0:0:0:10" addrtype="ipv6"/><ports/></host>
<host><status state="down"/><address addr="198.51.100.11" addrtype="ipv4"/></host>
</nmaprun>`;
  const hosts = parseNmapXml(xml);
  assert.deepEqual(hosts.map((h) => [h.ip, h.status, h.mac, h.ports.length]), [
    ["198.51.100.10", "up", "02:00:00:AA:BB:CC", 1],
    ["2001:db8::10", "up", null, 0],
    ["198.51.100.11", "down", null, 0],
  ]);
  assert.deepEqual(hosts[0].ports[0], {
    port: 53,
    proto: "udp",
    state: "open|filtered",
    service: "domain",
    product: "",
    version: "",
  });
});

Deno.test("an internal DTD with entities is refused, never expanded", () => {
  const billionLaughs = `<?xml version="1.0"?>
<!DOCTYPE nmaprun [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<nmaprun><host><address addr="127.0.0.1" addrtype="ipv4"/><ports>
<port protocol="tcp" portid="80"><state state="open"/><service name="&lol3;"/></port>
</ports></host></nmaprun>`;
  const externalEntity = `<?xml version="1.0"?>
<!DOCTYPE nmaprun [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>
<nmaprun><host><address addr="127.0.0.1" addrtype="ipv4"/><ports>
<port protocol="tcp" portid="80"><state state="open"/><service name="&xxe;"/></port>
</ports></host></nmaprun>`;
  for (const xml of [billionLaughs, externalEntity]) {
    assert.throws(() => parseNmapXml(xml), (err) => {
      assert.ok(err instanceof AppError);
      assert.equal(err.status, 502);
      assert.equal(err.code, "invalid_nmap_xml");
      assert.doesNotMatch(err.message, /lollol|root:/);
      return true;
    });
  }
});

Deno.test("entity references without a DTD stay literal text", () => {
  const xml = `<nmaprun><host><address addr="127.0.0.1" addrtype="ipv4"/><ports>
<port protocol="tcp" portid="80"><state state="open"/>
<service name="&xxe;" product="a &amp; b &lt;script&gt;alert(1)&lt;/script&gt;" version="&#65;&#x42;&nbsp;"/>
</port></ports></host></nmaprun>`;
  const [port] = parseNmapXml(xml)[0].ports;
  assert.equal(port.service, "&xxe;");
  // Decoded to the text it stands for: still untrusted, escaped by whoever renders it.
  assert.equal(port.product, "a & b <script>alert(1)</script>");
  assert.equal(port.version, "AB&nbsp;");
});

Deno.test("banner text is cleaned of control characters and capped", () => {
  const long = "x".repeat(1000);
  const xml = `<nmaprun><host><address addr="127.0.0.1" addrtype="ipv4"/><ports>
<port protocol="tcp" portid="22"><state state="open"/>
<service name="ssh" product="evil&#27;[2J&#7;term" version="${long}"/></port>
</ports></host></nmaprun>`;
  const [port] = parseNmapXml(xml)[0].ports;
  assert.equal(port.product, "evil[2Jterm");
  assert.equal(port.version.length, 256);
});

Deno.test("malformed entries are skipped, not trusted", () => {
  const xml = `<nmaprun>
<host><address addr="not-an-ip" addrtype="ipv4"/></host>
<host><address addr="127.0.0.1" addrtype="ipv4"/><ports>
<port protocol="tcp" portid="70000"><state state="open"/></port>
<port protocol="icmp" portid="1"><state state="open"/></port>
<port protocol="tcp" portid="abc"><state state="open"/></port>
<port protocol="tcp" portid="443"><state state="open"/></port>
</ports></host></nmaprun>`;
  const hosts = parseNmapXml(xml);
  assert.equal(hosts.length, 1);
  assert.deepEqual(hosts[0].ports.map((p) => p.port), [443]);
});

Deno.test("documents that are not nmap reports are refused", () => {
  assert.throws(() => parseNmapXml("<html><body/></html>"), /no <nmaprun> element/);
  assert.throws(() => parseNmapXml(""), AppError);
});

Deno.test("decodeXmlEntities handles only XML's own entities and character references", () => {
  assert.equal(decodeXmlEntities("&lt;&gt;&amp;&quot;&apos;"), `<>&"'`);
  assert.equal(decodeXmlEntities("&#x1F600;&#0;&copy;&amp;amp;"), "😀&#0;&copy;&amp;");
});
