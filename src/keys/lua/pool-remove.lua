-- Removes keys in any state, with their marks. ARGV[2..]: key ids.
for i = 2, #ARGV do deleteKey(ARGV[i]) end
dropIfEmpty()
