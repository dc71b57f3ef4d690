// The floor of the throughput benchmark: the same requests as emlab sends, at the same number in
// flight, through Node's own fetch, keeping nothing. What emlab adds is measured against this.
const [url, total, inFlight] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
let next = 0;
async function worker() {
  while (next < total) {
    const i = next++;
    const res = await fetch(`${url}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer emlab-no-key' },
      body: JSON.stringify({ model: 'fast', messages: [{ role: 'user', content: 'What is your favourite animal? Answer in one word.' }], temperature: 1, top_p: 1, max_tokens: 600, seed: i }),
    });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    await res.json();
  }
}
await Promise.all(Array.from({ length: inFlight }, worker));
