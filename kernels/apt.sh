# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Sourced: Debian's packages through a private apt configuration, for
# fetch.sh and linux-source.sh. Its sources list, lists and cache live in
# the cache directory, so any user can download packages without root, and
# the machine's own apt setup is never changed.
#
#   apt_use SUITE [ARCH]     locks the suite's directory; sets apt_suite,
#                            apt_arch, apt_uri, apt_dir and apt_opts;
#                            updates the lists once a day
#   download PKG DEST [RE]   downloads PKG into DEST, and those of its
#                            dependencies whose names match RE

keyring=/usr/share/keyrings/debian-archive-keyring.gpg

# The Debian archive the machine's apt sources name, whatever its suite
# (Debian 12, 13 or sid): one mirror serves every suite. apt itself reads
# the sources, in either format, and labels what each one serves.
archive_uri() {
	apt-cache policy 2>/dev/null | awk '
		/^ *-?[0-9]+ [a-z+]+:\/\// { uri = $2; next }
		/^ *release .*o=Debian,.*l=Debian,/ && uri { print uri; exit }
		{ uri = "" }'
}

apt_use() {
	apt_suite=$1
	apt_arch=${2:-amd64}
	apt_uri=$(archive_uri)
	if [ -z "$apt_uri" ]; then
		echo "apt.sh: no Debian archive in the machine's apt sources" \
			"(has apt-get update run?)" >&2
		return 1
	fi
	apt_dir=$COUNTER_CACHE/apt/$apt_suite
	[ "$apt_arch" = amd64 ] || apt_dir=$apt_dir-$apt_arch
	apt_opts=(-o "Dir::Etc::SourceList=$apt_dir/sources.list"
		  -o "Dir::Etc::SourceParts=$apt_dir/sources.list.d"
		  -o "Dir::State=$apt_dir/state" -o "Dir::Cache=$apt_dir/cache"
		  -o "Dir::State::status=$apt_dir/status" -o "APT::Sandbox::User=root"
		  -o "APT::Architecture=amd64" -o "APT::Architectures::=amd64"
		  -o "APT::Architectures::=$apt_arch")
	mkdir -p "$apt_dir/sources.list.d" "$apt_dir/state/lists/partial" \
		"$apt_dir/cache/archives/partial"
	# One user of a suite's lists at a time, until the script ends: two
	# would update them at once, and fetch the same kernel into one place.
	exec 8>>"$apt_dir/lock"
	flock 8
	touch "$apt_dir/status"
	echo "deb [signed-by=$keyring] $apt_uri $apt_suite main" >"$apt_dir/sources.list"
	# Lists younger than a day are fresh enough.
	if [ -z "$(find "$apt_dir/state/lists" -name '*Packages*' -mmin -1440 2>/dev/null)" ]; then
		echo "apt: apt-get update for $apt_suite" >&2
		apt-get "${apt_opts[@]}" update -q >/dev/null
	fi
}

# Downloads PACKAGE and, recursively, those of its dependencies whose
# names match PATTERN: the architecture's own build, or else the
# machine's (linux-kbuild, which runs here) or the "all" one.
download() {
	local pkg=$1 dest=$2 pattern=${3:-^$} dep
	[ -n "$(ls "$dest/${pkg}_"*.deb 2>/dev/null)" ] && return 0
	(cd "$dest" &&
	 { { [[ $pkg != linux-kbuild-* ]] &&
	     apt-get "${apt_opts[@]}" download -q "$pkg:$apt_arch" >/dev/null 2>&1; } ||
	   apt-get "${apt_opts[@]}" download -q "$pkg" >/dev/null; })
	for dep in $(apt-cache "${apt_opts[@]}" depends "$pkg:$apt_arch" |
		     sed -n 's/^ *Depends: <\{0,1\}\([^ <>:]*\).*/\1/p' |
		     grep -E "$pattern"); do
		download "$dep" "$dest" "$pattern"
	done
}
