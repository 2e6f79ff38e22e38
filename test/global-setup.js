// The worker-crash test runs the built service in child processes: build it first when stale.
const { ensureBuild } = require('../scripts/ensure-build');

module.exports = async () => {
  ensureBuild();
};
