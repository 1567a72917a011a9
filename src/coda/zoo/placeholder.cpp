// placeholder until the module lands
namespace coda {}
